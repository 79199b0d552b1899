// Heights in one storage buffer, row-major, `size.x` values per row, bound
// as up to four bands of `band_rows` rows (a binding's size is limited).
@group(1) @binding(1) var<storage, read> heights0: array<f32>;
@group(1) @binding(3) var<storage, read> heights1: array<f32>;
@group(1) @binding(4) var<storage, read> heights2: array<f32>;
@group(1) @binding(5) var<storage, read> heights3: array<f32>;

fn height_at(c: vec2<i32>) -> f32 {
    let m = vec2<i32>(t.size) - vec2<i32>(1, 1);
    let p = vec2<u32>(clamp(c, vec2<i32>(0, 0), m));
    // The band by comparisons: cheaper than an integer division per read on
    // the CPU rasterizers this store is for.
    let b = t.band_rows;
    let band = u32(p.y >= b) + u32(p.y >= 2u * b) + u32(p.y >= 3u * b);
    let i = (p.y - band * b) * u32(t.size.x) + p.x;
    switch band {
        case 0u: { return heights0[i]; }
        case 1u: { return heights1[i]; }
        case 2u: { return heights2[i]; }
        default: { return heights3[i]; }
    }
}
