package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// table is one table of the report: a title, a paragraph saying what it
// measures, a header and rows of cells, and notes below.
type table struct {
	title  string
	intro  string
	header []string
	rows   [][]string
	notes  []string
}

// comparison is a table whose rows compare contestants on one workload
// each: the median of every contestant, the best peer, and for each
// objstore contestant its ratio to the best peer (above 1: objstore is
// better).
type comparison struct {
	title    string
	intro    string
	columns  []string // contestants, objstore ones first
	objstore []string // the columns compared with the best peer
	rows     []compRow
	notes    []string
}

// compRow is one workload of a comparison.
type compRow struct {
	name         string
	unit         string
	higherBetter bool
	values       map[string]float64 // contestant -> median; missing: not run
	// counts prints whole values without decimals (requests, calls).
	counts bool
}

// fmt prints one value of the row.
func (r compRow) fmt(v float64) string {
	if r.counts && v == math.Trunc(v) && !math.IsInf(v, 0) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmtNum(v)
}

// best returns the best peer value of the row and each objstore
// contestant's ratio to it.
func (c *comparison) best(r compRow) (best float64, ratios map[string]float64) {
	var peers []float64
	for _, col := range c.columns {
		if c.isObjstore(col) {
			continue
		}
		if v, ok := r.values[col]; ok {
			peers = append(peers, v)
		}
	}
	ratios = map[string]float64{}
	for _, o := range c.objstore {
		v, ok := r.values[o]
		if !ok {
			v = math.NaN()
		}
		best, ratios[o] = ratioToBest(v, peers, r.higherBetter)
	}
	if len(c.objstore) == 0 {
		best, _ = ratioToBest(math.NaN(), peers, r.higherBetter)
	}
	return best, ratios
}

func (c *comparison) isObjstore(col string) bool {
	for _, o := range c.objstore {
		if o == col {
			return true
		}
	}
	return false
}

// table renders the comparison.
func (c *comparison) table() table {
	t := table{title: c.title, intro: c.intro, notes: c.notes}
	t.header = append([]string{"workload", "unit"}, c.columns...)
	t.header = append(t.header, "best peer")
	for _, o := range c.objstore {
		t.header = append(t.header, o+" ÷ best")
	}
	for _, r := range c.rows {
		best, ratios := c.best(r)
		unit := r.unit
		if !r.higherBetter {
			unit += " (lower is better)"
		}
		cells := []string{r.name, unit}
		for _, col := range c.columns {
			v, ok := r.values[col]
			if !ok {
				cells = append(cells, "–")
				continue
			}
			cells = append(cells, r.fmt(v))
		}
		cells = append(cells, r.fmt(best))
		for _, o := range c.objstore {
			cells = append(cells, fmtRatio(ratios[o]))
		}
		t.rows = append(t.rows, cells)
	}
	return t
}

// fmtNum prints a value with three significant digits or so.
func fmtNum(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "–"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

func fmtRatio(r float64) string {
	if math.IsNaN(r) {
		return "–"
	}
	return fmt.Sprintf("%.2fx", r)
}

// markdown writes t as a markdown section.
func (t table) markdown(w io.Writer) {
	fmt.Fprintf(w, "## %s\n\n", t.title)
	if t.intro != "" {
		fmt.Fprintf(w, "%s\n\n", t.intro)
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(escapeCells(t.header), " | "))
	seps := make([]string, len(t.header))
	for i := range seps {
		seps[i] = "---"
		if i > 0 {
			seps[i] = "---:"
		}
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
	for _, r := range t.rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(escapeCells(r), " | "))
	}
	fmt.Fprintln(w)
	for _, n := range t.notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
	if len(t.notes) > 0 {
		fmt.Fprintln(w)
	}
}

func escapeCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return out
}
