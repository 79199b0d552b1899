// Terrain from a height grid: grid vertices are generated from the vertex
// index on a (possibly decimated) grid; color and normals come per pixel from
// the full-resolution heights.

struct Tile {
    scale: vec2<f32>,
    offset: vec2<f32>,
};
@group(0) @binding(0) var<uniform> tile: Tile;

struct Terrain {
    view_proj: mat4x4<f32>,
    // xyz: unit vector towards the sun; w unused.
    sun_dir: vec4<f32>,
    // Texels (cols, rows) of the height texture.
    size: vec2<f32>,
    // Grid cells (x, y) drawn.
    grid: vec2<f32>,
    // World units per texel (dx, dy).
    spacing: vec2<f32>,
    // Colormap normalisation: (min height, 1 / (max - min)).
    range: vec2<f32>,
    exaggeration: f32,
    ambient: f32,
    sun_intensity: f32,
    // Heights at or below this are holes (NaN or nodata in the input).
    hole_below: f32,
    // Rows per texture array layer (one layer per upload band).
    band_rows: u32,
    // 1: `range` is in ln(height).
    log_norm: u32,
    // Bin boundaries in `levels` (0: a continuous colormap).
    level_count: u32,
    _pad: u32,
    levels: array<vec4<f32>, 16>,
    // Contour lines: colour (alpha = opacity), spacing in height units (0:
    // none), width in pixels, every how many lines one is major (0: none).
    contour_color: vec4<f32>,
    contour_interval: f32,
    contour_width: f32,
    contour_major: u32,
    _pad2: u32,
};
@group(1) @binding(0) var<uniform> t: Terrain;
// Binding 1 (the heights) and `height_at` come from heights_texture.wgsl or
// heights_buffer.wgsl, appended to this file.
@group(1) @binding(2) var lut: texture_2d<f32>;

struct VsOut {
    @builtin(position) pos: vec4<f32>,
    // Continuous (col, row) texel coordinates.
    @location(0) texel: vec2<f32>,
    @location(1) hole: f32,
};

@vertex
fn vs_main(@builtin(vertex_index) vi: u32) -> VsOut {
    let gw = u32(t.grid.x);
    let i = vi % (gw + 1u);
    let j = vi / (gw + 1u);
    let col = round(f32(i) * (t.size.x - 1.0) / t.grid.x);
    let row = round(f32(j) * (t.size.y - 1.0) / t.grid.y);
    let h = height_at(vec2<i32>(i32(col), i32(row)));
    let hole = h <= t.hole_below;
    // Holes sit at the low end of the height range (linear units).
    let low = select(t.range.x, exp(t.range.x), t.log_norm == 1u);
    let z = select(h, low, hole) * t.exaggeration;
    let world = vec4<f32>(col * t.spacing.x, (t.size.y - 1.0 - row) * t.spacing.y, z, 1.0);
    let clip = t.view_proj * world;
    var out: VsOut;
    out.pos = vec4<f32>(clip.xy * tile.scale + tile.offset * clip.w, clip.z, clip.w);
    out.texel = vec2<f32>(col, row);
    out.hole = select(0.0, 1.0, hole);
    return out;
}

// The height at c (clamped to the grid), or `fallback` where it is a hole.
fn height_or(c: vec2<i32>, fallback: f32) -> f32 {
    let m = vec2<i32>(t.size) - vec2<i32>(1, 1);
    let h = height_at(clamp(c, vec2<i32>(0, 0), m));
    return select(h, fallback, h <= t.hole_below);
}

// (dz/dx, dz/dy) in world units at texel p from its neighbours' heights
// (left, right, up, down; a hole or a texel past the edge given as p's own
// height): central differences on the full-resolution grid, one-sided at
// the edges. +y in world is towards row 0.
fn slope(p: vec2<i32>, hl: f32, hr: f32, hu: f32, hd: f32) -> vec2<f32> {
    let m = vec2<i32>(t.size) - vec2<i32>(1, 1);
    let w = f32(min(p.x + 1, m.x) - max(p.x - 1, 0));
    let v = f32(min(p.y + 1, m.y) - max(p.y - 1, 0));
    return vec2<f32>(
        (hr - hl) * t.exaggeration / (max(w, 1.0) * t.spacing.x),
        (hu - hd) * t.exaggeration / (max(v, 1.0) * t.spacing.y),
    );
}

// The slope at p, reading its four neighbours.
fn slope_at(p: vec2<i32>, hp: f32) -> vec2<f32> {
    return slope(
        p,
        height_or(p + vec2<i32>(-1, 0), hp),
        height_or(p + vec2<i32>(1, 0), hp),
        height_or(p + vec2<i32>(0, -1), hp),
        height_or(p + vec2<i32>(0, 1), hp),
    );
}

// Where height h falls on the colormap, in [0, 1]: the middle of its bin's
// slice with levels, else the normalised (linear or log) height.
fn color_position(h: f32) -> f32 {
    if (t.level_count > 1u) {
        var k = 0u;
        for (var i = 0u; i < t.level_count; i = i + 1u) {
            if (h >= t.levels[i / 4u][i % 4u]) {
                k = i + 1u;
            }
        }
        let bins = f32(t.level_count - 1u);
        let bin = clamp(f32(k) - 1.0, 0.0, bins - 1.0);
        return (bin + 0.5) / bins;
    }
    var v = h;
    if (t.log_norm == 1u) {
        v = log(max(h, 1.17549435e-38));
    }
    return clamp((v - t.range.x) * t.range.y, 0.0, 1.0);
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    let c = clamp(in.texel, vec2<f32>(0.0, 0.0), t.size - vec2<f32>(1.0, 1.0));
    // Texels per pixel across the screen (derivatives of an interpolated
    // input, taken before anything is discarded).
    let dc_dx = dpdx(c);
    let dc_dy = dpdy(c);
    if (in.hole > 0.0) {
        discard;
    }
    // The four texels around c; the nearest one is among them.
    let base = vec2<i32>(floor(c));
    let f = c - floor(c);
    let h00 = height_at(base);
    let h10 = height_at(base + vec2<i32>(1, 0));
    let h01 = height_at(base + vec2<i32>(0, 1));
    let h11 = height_at(base + vec2<i32>(1, 1));
    let nearest = vec2<i32>(round(c));
    // Which corner is nearest (0 or 1 per axis).
    let near = (nearest - base) == vec2<i32>(1, 1);
    let hn = select(select(h00, h10, near.x), select(h01, h11, near.x), near.y);
    if (hn <= t.hole_below) {
        discard;
    }
    // Bilinear height where all four neighbours are valid, else nearest.
    var h = hn;
    if (min(min(h00, h10), min(h01, h11)) > t.hole_below) {
        h = mix(mix(h00, h10, f.x), mix(h01, h11, f.x), f.y);
    }

    // The slope is interpolated like the height: central differences at
    // the four texels around c, mixed bilinearly, so shading is continuous
    // across texel borders under magnification. Where a corner is a hole,
    // the nearest texel's slope is used alone.
    // The four corners' slopes need the 4x4 texels around them less their
    // corners: eight reads besides the corners themselves.
    var g: vec2<f32>;
    if (min(min(h00, h10), min(h01, h11)) > t.hole_below) {
        let b = base;
        let hw0 = height_or(b + vec2<i32>(-1, 0), h00);
        let hw1 = height_or(b + vec2<i32>(-1, 1), h01);
        let he0 = height_or(b + vec2<i32>(2, 0), h10);
        let he1 = height_or(b + vec2<i32>(2, 1), h11);
        let hn0 = height_or(b + vec2<i32>(0, -1), h00);
        let hn1 = height_or(b + vec2<i32>(1, -1), h10);
        let hs0 = height_or(b + vec2<i32>(0, 2), h01);
        let hs1 = height_or(b + vec2<i32>(1, 2), h11);
        let g00 = slope(b, hw0, h10, hn0, h01);
        let g10 = slope(b + vec2<i32>(1, 0), h00, he0, hn1, h11);
        let g01 = slope(b + vec2<i32>(0, 1), hw1, h11, h00, hs0);
        let g11 = slope(b + vec2<i32>(1, 1), h01, he1, h10, hs1);
        g = mix(mix(g00, g10, f.x), mix(g01, g11, f.x), f.y);
    } else {
        g = slope_at(nearest, hn);
    }
    let dzdx = g.x;
    let dzdy = g.y;
    let n = normalize(vec3<f32>(-dzdx, -dzdy, 1.0));
    let lambert = max(dot(n, t.sun_dir.xyz), 0.0);
    let shade = clamp(t.ambient + t.sun_intensity * lambert, 0.0, 1.0);

    let s = color_position(h);
    let color = textureLoad(lut, vec2<i32>(i32(round(s * 255.0)), 0), 0);
    var rgb = color.rgb * shade;

    // Contour lines of the bilinear height, of constant pixel width: the
    // distance to the nearest level in pixels, from the rate of change of
    // h / interval across the screen (the interpolated slope times texels
    // per pixel), anti-aliased over one pixel. Major lines (every
    // `contour_major`-th level) are twice as wide.
    if (t.contour_interval > 0.0) {
        let v = h / t.contour_interval;
        // Height change per texel step (+y in world is towards row 0).
        let gh = vec2<f32>(g.x * t.spacing.x, -g.y * t.spacing.y) / t.exaggeration;
        let per_pixel = (abs(dot(gh, dc_dx)) + abs(dot(gh, dc_dy))) / t.contour_interval;
        let level = round(v);
        let d = abs(v - level) / max(per_pixel, 1e-30);
        var width = t.contour_width;
        if (t.contour_major > 0u && abs(level - f32(t.contour_major) * round(level / f32(t.contour_major))) < 0.5) {
            width = width * 2.0;
        }
        let a = (1.0 - smoothstep(width * 0.5 - 0.5, width * 0.5 + 0.5, d)) * t.contour_color.a;
        rgb = mix(rgb, t.contour_color.rgb, a);
    }
    return vec4<f32>(rgb, 1.0);
}
