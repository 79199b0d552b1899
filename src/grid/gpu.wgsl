// Gridding table rows on the GPU (terrain_from_table, device="gpu").
//
// The host prefixes `const AGG: u32 = ...;` (0 mean, 1 min, 2 max, 3 first,
// 4 last, 5 count) and `alias ZT = ...;` (the heights' type: f64 for mean,
// f32 otherwise). Rows stay on the GPU in chunks: x and y as float64 (the
// cell of a row is computed exactly as on the CPU, in float64, by the same
// subtract, multiply, clamp and truncate), z as ZT. Every cell starts
// as the zero word ("no point yet"):
//
// * count: a u32 count;
// * min / max: an order-preserving key of the float32 height (inverted for
//   min), kept by atomicMax;
// * first / last: a u64 whose high word orders rows (~row for first,
//   row + 1 for last) and whose low word is the height's bits, kept by
//   atomicMax, so the winning row carries its height along;
// * mean: a u32 count and the largest |z| of the cell (`place`), then
//   (`sum`) a 64-bit fixed-point sum of the heights scaled by the cell's own
//   2^s, where s keeps the cell's sum below 2^61 (from its largest |z| and
//   its count), so each cell keeps 61 bits whatever the other cells hold.

struct Params {
    x0: f64,
    y0: f64,
    inv_dx: f64,
    inv_dy: f64,
    // 0.5 on a lattice (round to the nearest node), 0 for bins (floor).
    half: f64,
    col_max: f64,
    row_max: f64,
    // The largest finite float64: |v| <= big is false for inf and NaN.
    big: f64,
    // Points outside [xlo, xhi] x [ylo, yhi] are dropped (bounds=).
    xlo: f64,
    xhi: f64,
    ylo: f64,
    yhi: f64,
    // A placed point further than this (in cells) from its node is off the lattice.
    tolerance: f64,
    // Valid heights of this magnitude or more do not fit float32 (round to
    // infinity): 2^128 - 2^103, float32 max plus half its last step.
    f32_overflow: f64,
    _pad64: f64,
    cols: u32,
    rows_m1: u32,
    cells: u32,
    // Bits of what an empty cell holds.
    fill: u32,
    lattice: u32,
    // Invocations of a dispatch over cells (grid-stride loop).
    cell_stride: u32,
    // Values from one grid row to the next in `out` (cols, or more when
    // the grid stays on the GPU as a terrain's heights: whole texture rows).
    pitch: u32,
    // 1 when `fill` is a value (counted in the extremes), 0 for a hole.
    fill_is_value: u32,
};

struct Chunk {
    // Rows in this chunk.
    count: u32,
    // Table row number of its first row.
    first_row: u32,
    // Invocations of the dispatch (grid-stride loop).
    stride: u32,
    _pad: u32,
};

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<uniform> ch: Chunk;
@group(0) @binding(2) var<storage, read> xs: array<f64>;
@group(0) @binding(3) var<storage, read> ys: array<f64>;
@group(0) @binding(4) var<storage, read> zs: array<ZT>;
@group(0) @binding(5) var<storage, read_write> acc32: array<atomic<u32>>;
@group(0) @binding(6) var<storage, read_write> acc64: array<atomic<u64>>;
// 0 invalid rows, 1 rows outside bounds, 2 off the lattice, 3 a height past
// float32, 4 the key of the largest value, 5 the inverted key of the
// smallest (0: none), 6 empty cells.
@group(0) @binding(7) var<storage, read_write> stats: array<atomic<u32>, 8>;
@group(0) @binding(8) var<storage, read_write> out: array<u32>;
// mean: the largest |z| of each cell (float32 bits).
@group(0) @binding(9) var<storage, read_write> amax: array<atomic<u32>>;

var<workgroup> w_invalid: atomic<u32>;
var<workgroup> w_outside: atomic<u32>;
var<workgroup> w_flags: atomic<u32>;

const SKIP: u32 = 0xffffffffu;
const F32_INF: u32 = 0x7f800000u;

// The cell of row i (SKIP when not placed), and what the row tells.
struct Placed {
    k: u32,
    invalid: u32,
    outside: u32,
    // bit 0: off the lattice, bit 1: height past float32
    flags: u32,
};

fn place_row(i: u32) -> Placed {
    let x = xs[i];
    let y = ys[i];
    let z = f32(zs[i]);
    let z64 = f64(zs[i]);
    let fx = (x - p.x0) * p.inv_dx;
    let fy = (y - p.y0) * p.inv_dy;
    var cx = fx + p.half;
    cx = select(0.0lf, cx, cx > 0.0lf);
    cx = select(p.col_max, cx, cx < p.col_max);
    var cy = fy + p.half;
    cy = select(0.0lf, cy, cy > 0.0lf);
    cy = select(p.row_max, cy, cy < p.row_max);
    let ix = i32(cx);
    let iy = i32(cy);
    let k = (p.rows_m1 - u32(iy)) * p.cols + u32(ix);
    let zb = bitcast<u32>(z) & 0x7fffffffu;
    // A NaN height (or a null) fails; so do infinite or NaN coordinates.
    let valid = abs(x) <= p.big && abs(y) <= p.big && zb <= F32_INF;
    let inside = x >= p.xlo && x <= p.xhi && y >= p.ylo && y <= p.yhi;
    let placed = valid && inside;
    var r: Placed;
    r.k = select(SKIP, k, placed);
    r.invalid = select(1u, 0u, valid);
    r.outside = select(0u, 1u, valid && !inside);
    let far = abs(fx - f64(ix)) > p.tolerance || abs(fy - f64(iy)) > p.tolerance;
    r.flags = select(0u, 1u, placed && far && p.lattice != 0u)
        | select(0u, 2u, valid && (zb == F32_INF || abs(z64) >= p.f32_overflow));
    return r;
}

// Orders float32 values as u32 (bounds.wgsl's key).
fn key(b: u32) -> u32 {
    return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

fn unkey(k: u32) -> u32 {
    return select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u);
}

@compute @workgroup_size(256)
fn place(@builtin(global_invocation_id) id: vec3<u32>, @builtin(local_invocation_index) li: u32) {
    if (li == 0u) {
        atomicStore(&w_invalid, 0u);
        atomicStore(&w_outside, 0u);
        atomicStore(&w_flags, 0u);
    }
    workgroupBarrier();
    var invalid = 0u;
    var outside = 0u;
    var flags = 0u;
    for (var i = id.x; i < ch.count; i = i + ch.stride) {
        let r = place_row(i);
        invalid += r.invalid;
        outside += r.outside;
        flags |= r.flags;
        if (r.k != SKIP) {
            let zb = bitcast<u32>(f32(zs[i]));
            if (AGG == 0u) {
                atomicAdd(&acc32[r.k], 1u);
                atomicMax(&amax[r.k], zb & 0x7fffffffu);
            } else if (AGG == 1u) {
                atomicMax(&acc32[r.k], ~key(zb));
            } else if (AGG == 2u) {
                atomicMax(&acc32[r.k], key(zb));
            } else if (AGG == 3u) {
                atomicMax(&acc64[r.k], (u64(~(ch.first_row + i)) << 32u) | u64(zb));
            } else if (AGG == 4u) {
                atomicMax(&acc64[r.k], (u64(ch.first_row + i + 1u) << 32u) | u64(zb));
            } else {
                atomicAdd(&acc32[r.k], 1u);
            }
        }
    }
    atomicAdd(&w_invalid, invalid);
    atomicAdd(&w_outside, outside);
    atomicOr(&w_flags, flags);
    workgroupBarrier();
    if (li == 0u) {
        atomicAdd(&stats[0], atomicLoad(&w_invalid));
        atomicAdd(&stats[1], atomicLoad(&w_outside));
        let f = atomicLoad(&w_flags);
        atomicOr(&stats[2], f & 1u);
        atomicOr(&stats[3], f >> 1u);
    }
}

// mean: the exponent s of a cell's scale 2^s, from its largest |z| (float32
// bits, |z| < 2^ez) and its count n (n <= 2^ec): the sum stays below 2^61.
fn cell_exp(k: u32, n: u32) -> i32 {
    let e = i32((atomicLoad(&amax[k]) >> 23u) & 0xffu);
    let ez = max(e, 1) - 126;
    let ec = 32 - i32(countLeadingZeros(max(n, 1u) - 1u));
    return 61 - ez - ec;
}

// mean: each placed height, scaled by its cell's 2^s and truncated, added
// to the cell's 64-bit two's complement sum.
@compute @workgroup_size(256)
fn sum(@builtin(global_invocation_id) id: vec3<u32>) {
    for (var i = id.x; i < ch.count; i = i + ch.stride) {
        let r = place_row(i);
        if (r.k != SKIP) {
            let s = cell_exp(r.k, atomicLoad(&acc32[r.k]));
            let v = i64(ldexp(f64(zs[i]), s));
            atomicAdd(&acc64[r.k], bitcast<u64>(v));
        }
    }
}

// Cell words to float32 bits (`fill` where no point fell) at row pitch
// `p.pitch`, counting the empty cells and keeping the extremes of the
// values (holes left out).
@compute @workgroup_size(256)
fn finish(@builtin(global_invocation_id) id: vec3<u32>, @builtin(local_invocation_index) li: u32) {
    if (li == 0u) {
        atomicStore(&w_invalid, 0u);
        atomicStore(&w_outside, 0u);
        atomicStore(&w_flags, 0u);
    }
    workgroupBarrier();
    var empty = 0u;
    var hi = 0u;
    var lo = 0u;
    for (var k = id.x; k < p.cells; k = k + p.cell_stride) {
        var bits = p.fill;
        var hit = true;
        if (AGG == 0u) {
            let n = atomicLoad(&acc32[k]);
            hit = n != 0u;
            if (hit) {
                let s = f64(bitcast<i64>(atomicLoad(&acc64[k])));
                bits = bitcast<u32>(f32(ldexp(s, -cell_exp(k, n)) / f64(n)));
            }
        } else if (AGG == 1u || AGG == 2u) {
            let w = atomicLoad(&acc32[k]);
            hit = w != 0u;
            if (hit) {
                bits = unkey(select(w, ~w, AGG == 1u));
            }
        } else if (AGG == 3u || AGG == 4u) {
            let w = atomicLoad(&acc64[k]);
            hit = w != 0lu;
            if (hit) {
                bits = u32(w & 0xfffffffflu);
            }
        } else {
            let n = atomicLoad(&acc32[k]);
            hit = n != 0u;
            bits = bitcast<u32>(f32(n));
        }
        empty += select(1u, 0u, hit);
        if (hit || p.fill_is_value != 0u || AGG == 5u) {
            hi = max(hi, key(bits));
            lo = max(lo, ~key(bits));
        }
        var o = k;
        if (p.pitch != p.cols) {
            o = (k / p.cols) * p.pitch + k % p.cols;
        }
        out[o] = bits;
    }
    atomicAdd(&w_invalid, empty);
    atomicMax(&w_outside, hi);
    atomicMax(&w_flags, lo);
    workgroupBarrier();
    if (li == 0u) {
        atomicAdd(&stats[6], atomicLoad(&w_invalid));
        atomicMax(&stats[4], atomicLoad(&w_outside));
        atomicMax(&stats[5], atomicLoad(&w_flags));
    }
}
