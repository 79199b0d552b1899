// Relief passes over the full-resolution heights: the sun's visibility
// (cast shadows) and ambient occlusion, one texel per invocation, written
// into textures the terrain draw samples bilinearly. Appended to
// terrain_uniform.wgsl and a heights reader (heights_*.wgsl).

struct Relief {
    // Texel offset (col, row) of one step towards the sun.
    sun_step: vec2<f32>,
    // World length of one step.
    step_len: f32,
    // Sun elevation and the sun's angular diameter (radians; 0: hard edge).
    elevation: f32,
    softness: f32,
    // The highest height of the terrain (world units, exaggerated).
    top: f32,
    // Ambient occlusion: the distance searched (world units), directions
    // and samples per direction.
    ao_radius: f32,
    ao_dirs: u32,
    ao_steps: u32,
    // Most steps towards the sun.
    max_steps: u32,
    _pad: vec2<u32>,
};
@group(0) @binding(0) var<uniform> r: Relief;
@group(0) @binding(1) var out: texture_storage_2d<rgba8unorm, write>;

const HALF_PI: f32 = 1.5707963;

// The exaggerated height at c, or None (a very low value) at a hole.
fn scaled(c: vec2<i32>) -> f32 {
    let h = height_at(c);
    return select(h * t.exaggeration, -3.0e38, h <= t.hole_below);
}

fn inside(q: vec2<f32>) -> bool {
    return all(q >= vec2<f32>(-0.5)) && all(q < t.size - vec2<f32>(0.5));
}

// 1 where the sun is seen from the texel, 0 where the terrain hides it, in
// between over the sun's disc (`softness`): the horizon towards the sun is
// the steepest rise from the texel to any height along the ray, searched
// until no height could rise above it any more.
// The cell a relief texel is computed at: the texel itself, or with
// `t.relief.z` cells per texel, the cell nearest the texel's centre.
fn cell_of(id: vec2<u32>) -> vec2<i32> {
    let s = t.relief.z;
    let c = round((vec2<f32>(id) + 0.5) * s - 0.5);
    return clamp(vec2<i32>(c), vec2<i32>(0, 0), vec2<i32>(t.size) - vec2<i32>(1, 1));
}

@compute @workgroup_size(8, 8)
fn shadow_main(@builtin(global_invocation_id) id: vec3<u32>) {
    let size = textureDimensions(out);
    if (id.x >= size.x || id.y >= size.y) {
        return;
    }
    let texel = vec2<i32>(id.xy);
    let p = cell_of(id.xy);
    let h0 = scaled(p);
    let lo = r.elevation - 0.5 * r.softness;
    let hi = r.elevation + 0.5 * r.softness;
    var vis = 1.0;
    if (h0 < -1.0e38) {
        textureStore(out, texel, vec4<f32>(1.0));
        return;
    }
    if (hi <= 0.0) {
        vis = 0.0;
    } else if (lo < HALF_PI - 1e-4) {
        // Below tan(lo) the texel is fully lit, above tan(hi) fully shaded.
        let tan_lo = tan(max(lo, -HALF_PI + 1e-4));
        var horizon = -1.0e30;
        let start = vec2<f32>(p);
        for (var k = 1u; k <= r.max_steps; k = k + 1u) {
            let q = start + r.sun_step * f32(k);
            if (!inside(q)) {
                break;
            }
            let d = f32(k) * r.step_len;
            // No height further on can rise above max(horizon, tan_lo).
            if ((r.top - h0) / d <= max(horizon, tan_lo)) {
                break;
            }
            let rise = (scaled(vec2<i32>(round(q))) - h0) / d;
            horizon = max(horizon, rise);
            if (r.softness <= 0.0 && horizon > tan(r.elevation)) {
                break;
            }
        }
        let angle = atan(horizon);
        if (r.softness > 0.0) {
            vis = clamp((r.elevation - angle) / r.softness + 0.5, 0.0, 1.0);
        } else {
            vis = select(0.0, 1.0, angle < r.elevation);
        }
    }
    textureStore(out, texel, vec4<f32>(vis, vis, vis, 1.0));
}

// The open sky over the texel: over `ao_dirs` directions, the steepest
// rise within `ao_radius` (samples closer together near the texel), each
// direction contributing 1 - sin(horizon angle); flat ground gives 1.
@compute @workgroup_size(8, 8)
fn ao_main(@builtin(global_invocation_id) id: vec3<u32>) {
    let size = textureDimensions(out);
    if (id.x >= size.x || id.y >= size.y) {
        return;
    }
    let texel = vec2<i32>(id.xy);
    let p = cell_of(id.xy);
    let h0 = scaled(p);
    if (h0 < -1.0e38) {
        textureStore(out, texel, vec4<f32>(1.0));
        return;
    }
    let cell = min(t.spacing.x, t.spacing.y);
    let start = vec2<f32>(p);
    var open = 0.0;
    for (var i = 0u; i < r.ao_dirs; i = i + 1u) {
        let a = (f32(i) + 0.5) * 6.2831853 / f32(r.ao_dirs);
        // Texels per world unit in this direction (+y in world is row 0).
        let dir = vec2<f32>(cos(a) / t.spacing.x, -sin(a) / t.spacing.y);
        var horizon = 0.0;
        for (var k = 1u; k <= r.ao_steps; k = k + 1u) {
            let s = f32(k) / f32(r.ao_steps);
            let d = max(r.ao_radius * s * s, f32(k) * cell);
            if (d > r.ao_radius * 1.0001) {
                break;
            }
            let q = start + dir * d;
            if (!inside(q)) {
                break;
            }
            horizon = max(horizon, (scaled(vec2<i32>(round(q))) - h0) / d);
        }
        open = open + 1.0 - horizon * inverseSqrt(1.0 + horizon * horizon);
    }
    let ao = open / f32(r.ao_dirs);
    textureStore(out, texel, vec4<f32>(ao, ao, ao, 1.0));
}
