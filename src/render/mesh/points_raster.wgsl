// Point sets rasterised by compute: every point covers the pixels whose
// centres lie within point_size / 2 of its projected centre (the disc
// points.wgsl cuts out of its triangle), and each pixel keeps the nearest
// point, ties going to the later point as the depth test LessEqual does.
// Two passes over the points: the first keeps each pixel's nearest depth
// (atomicMax of the inverted float bits, so 0 means "no point"), the second
// records which point holds it (atomicMax of index + 1). points_resolve.wgsl
// then writes those pixels' colours and depths in the frame's render pass,
// where the depth test against the other layers happens as for any draw.
// On GPUs whose graphics units are a small part of the chip, this runs on
// all of its compute units instead of the geometry pipeline.

// (Tile, Draw, d and lut come from draw.wgsl.)

@group(1) @binding(2) var<storage, read> positions: array<f32>;
@group(1) @binding(6) var<storage, read_write> keys: array<atomic<u32>>;
@group(1) @binding(7) var<storage, read_write> winners: array<atomic<u32>>;

const WORKGROUP: u32 = 256u;

// The pixels a point may cover (none when x0 > x1 or y0 > y1), its centre in
// pixels and the depth key.
struct Cover {
    x0: i32,
    x1: i32,
    y0: i32,
    y1: i32,
    center: vec2<f32>,
    r2: f32,
    key: u32,
};

fn cover(i: u32) -> Cover {
    var c = Cover(1, 0, 1, 0, vec2<f32>(0.0), 0.0, 0u);
    let p = vec3<f32>(positions[i * 3u], positions[i * 3u + 1u], positions[i * 3u + 2u]);
    let clip = d.view_proj * vec4<f32>(p, 1.0);
    // Clipped as the triangle path clips: behind the eye, or in front of the
    // near or beyond the far plane (all of a point's vertices share z and w).
    if (!(clip.w > 0.0) || !(clip.z >= 0.0) || !(clip.z <= clip.w)) {
        return c;
    }
    let ndc = clip.xy / clip.w;
    // Far off screen (or not a number): nothing to cover.
    if (!(abs(ndc.x) < 1.0e6) || !(abs(ndc.y) < 1.0e6)) {
        return c;
    }
    let size = d.viewport;
    let center = vec2<f32>((ndc.x * 0.5 + 0.5) * size.x, (0.5 - ndc.y * 0.5) * size.y);
    let r = d.point_size * 0.5;
    // Pixel x is covered when |x + 0.5 - cx| <= r; clamped to the frame.
    let lo = clamp(ceil(center - r - 0.5), vec2<f32>(0.0), size);
    let hi = clamp(floor(center + r - 0.5), vec2<f32>(-1.0), size - 1.0);
    c.x0 = i32(lo.x);
    c.y0 = i32(lo.y);
    c.x1 = i32(hi.x);
    c.y1 = i32(hi.y);
    c.center = center;
    c.r2 = r * r;
    // Without the sign bit: -0.0 is as near as 0.0.
    c.key = ~(bitcast<u32>(clip.z / clip.w) & 0x7fffffffu);
    return c;
}

// Visits the pixels point `g` covers: the first pass keeps the nearest
// depth key, the second (`owners`, the same for the whole dispatch) records
// the point at the pixels where its key is the nearest.
fn raster(g: vec3<u32>, groups: vec3<u32>, owners: bool) {
    let i = g.x + g.y * groups.x * WORKGROUP;
    if (i >= d.count) {
        return;
    }
    let c = cover(i);
    let w = u32(d.viewport.x);
    for (var y = c.y0; y <= c.y1; y++) {
        for (var x = c.x0; x <= c.x1; x++) {
            let e = vec2<f32>(f32(x), f32(y)) + 0.5 - c.center;
            if (dot(e, e) > c.r2) {
                continue;
            }
            let k = u32(y) * w + u32(x);
            if (!owners) {
                atomicMax(&keys[k], c.key);
            } else if (atomicLoad(&keys[k]) == c.key) {
                atomicMax(&winners[k], i + 1u);
            }
        }
    }
}

@compute @workgroup_size(256)
fn nearest(
    @builtin(global_invocation_id) g: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    raster(g, groups, false);
}

@compute @workgroup_size(256)
fn owner(
    @builtin(global_invocation_id) g: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    raster(g, groups, true);
}
