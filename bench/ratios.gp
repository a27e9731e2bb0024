# make bench's chart: one horizontal bar per figure, its median ratio to the
# pipe round trip of the same round (log scale), whiskers from the lowest to
# the highest per-round ratio. Data: reports/bench/ratios.dat, written by
# build/bench/bench (label, median, min, max, group), one line per figure.
if (!exists("datafile")) datafile = 'reports/bench/ratios.dat'
if (!exists("outfile")) outfile = 'reports/bench/ratios.png'
set datafile separator "\t"
stats datafile using 3 nooutput
lo = STATS_min
n = STATS_records
stats datafile using 4 nooutput
hi = STATS_max
xmin = 10 ** floor(log10(lo / 1.5))
xmax = 10 ** ceil(log10(hi * 4))

set terminal pngcairo noenhanced size 1200, 170 + 27 * n font "sans,10"
set output outfile
set title "make bench: time per operation / pipe round trip on one CPU\n(bar: median of the per-round ratios; whiskers: lowest and highest round)"
set logscale x
set xrange [xmin:xmax]
set format x "%gx"
set yrange [n - 0.5:-0.5]
set ytics scale 0 font ",10"
set grid xtics mxtics lc rgb "#dddddd"
set key top right box opaque font ",9"
set border 3
set linetype 1 lc rgb "#8c8c8c"
set linetype 2 lc rgb "#4e79a7"
set linetype 3 lc rgb "#59a14f"
set linetype 4 lc rgb "#76b7b2"
set linetype 5 lc rgb "#e15759"
set linetype 6 lc rgb "#b07aa1"
set linetype 7 lc rgb "#f28e2b"
set arrow from 1, graph 0 to 1, graph 1 nohead lc rgb "#444444" dt 2
set arrow from 1.75, graph 0 to 1.75, graph 1 nohead lc rgb "#e15759" dt 3 lw 1.5
set label "1x = pipe round trip" at 1, graph 1 offset -1, 0.6 right font ",9"
set label "goal: lazy getpid <= 1.75x" at 1.75, graph 1 offset 1, 0.6 left font ",9" tc rgb "#e15759"
fmt(x) = x < 0.1 ? sprintf("%.3fx", x) : x < 100 ? sprintf("%.2fx", x) : sprintf("%.0fx", x)

plot datafile using (sqrt(xmin * $2)):0:(xmin):2:($0 - 0.36):($0 + 0.36):5:ytic(1) \
	with boxxyerror fs solid 0.75 noborder lc variable notitle, \
     '' using 2:0:3:4 with xerrorbars pt -1 lc rgb "black" notitle, \
     '' using ($4 * 1.12):0:(fmt($2)) with labels left font ",9" notitle, \
     NaN with boxes fs solid 0.75 lt 1 title "host kernel", \
     NaN with boxes fs solid 0.75 lt 2 title "raw ptrace loops", \
     NaN with boxes fs solid 0.75 lt 3 title "platform", \
     NaN with boxes fs solid 0.75 lt 4 title "harness run (per call)", \
     NaN with boxes fs solid 0.75 lt 5 title "User-Mode Linux", \
     NaN with boxes fs solid 0.75 lt 6 title "suite (time per case)", \
     NaN with boxes fs solid 0.75 lt 7 title "single ptrace requests"
