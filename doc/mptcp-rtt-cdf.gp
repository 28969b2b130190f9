set terminal pngcairo size 640,400 font 'sans,10' noenhanced
set output "doc/mptcp-rtt-cdf.png"
set title "Data-level RTT, mptcp-both.pcap, c2s; subflow 0 Wi-Fi, 1 cellular"
set xlabel "rtt (ms)"
set ylabel "CDF"
set yrange [0:1.02]
set key bottom right
set grid
set logscale x
plot "doc/mptcp-rtt-cdf.dat" index 0 using 1:2 with steps linewidth 2 title "0", \
     "doc/mptcp-rtt-cdf.dat" index 1 using 1:2 with steps linewidth 2 title "1"
