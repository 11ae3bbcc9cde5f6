package main

import (
	"math/bits"
	"time"
)

// subBits sets the histogram's precision: 2^subBits buckets per power of
// two, so a recorded value is off by less than 1/64 (1.6%).
const subBits = 6

const (
	subCount   = 1 << subBits
	numBuckets = subCount + (64-subBits)*subCount
)

// histogram counts latencies in log-linear buckets. It has a fixed size
// whatever the number of samples, and histograms of several workers merge
// by adding counts. The zero value is empty and ready to use.
type histogram struct {
	counts [numBuckets]uint64
	n      uint64
	sum    time.Duration
	max    time.Duration
}

// bucketOf returns the bucket of v nanoseconds: exact below 64 ns, then
// 64 buckets per power of two.
func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	exp := bits.Len64(v) - 1
	shift := exp - subBits
	return subCount + shift*subCount + int((v>>shift)&(subCount-1))
}

// bucketUpper is the largest value bucketOf maps to i.
func bucketUpper(i int) uint64 {
	if i < subCount {
		return uint64(i)
	}
	shift := (i - subCount) / subCount
	sub := uint64(i % subCount)
	return ((subCount+sub+1)<<shift - 1)
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))]++
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// quantile returns the smallest bucket bound below which a fraction q of
// the samples lie (never more than the largest sample).
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(bucketUpper(i)), h.max)
		}
	}
	return h.max
}

func (h *histogram) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}
