set terminal pngcairo size 720,420 font 'sans,10' noenhanced
set output './series-handover-goodput.png'
set title 'Goodput over time, MPTCP connection 1, c2s (mptcp-handover, 0.1 s bins)'
set xlabel 'time from the connection start (s)'
set ylabel 'goodput (Mbit/s)'
set bmargin 7
set key at screen 0.5, screen 0.015 bottom center horizontal box spacing 1.1 width 1 invert
set grid
set yrange [0:*]
set style fill solid 0.7 noborder
set datafile separator '	'
plot './series-handover-goodput.dat' using 1:($2+$3) with fillsteps linecolor rgb '#ff7f0e' title 'cellular (subflow 1, TCP-acked)', \
     './series-handover-goodput.dat' using 1:2 with fillsteps linecolor rgb '#1f77b4' title 'Wi-Fi (subflow 0, TCP-acked)', \
     './series-handover-goodput.dat' using 1:5 with steps linewidth 2 linecolor rgb 'black' title 'connection, DATA_ACKed'
