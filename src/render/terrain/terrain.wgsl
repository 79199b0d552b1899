// Terrain from a height grid: grid vertices are generated from the vertex
// index on a (possibly decimated) grid; color and normals come per pixel from
// the full-resolution heights.

struct Tile {
    scale: vec2<f32>,
    offset: vec2<f32>,
};
@group(0) @binding(0) var<uniform> tile: Tile;

// Binding 1 (the heights) and `height_at` come from heights_texture.wgsl or
// heights_buffer.wgsl, appended to this file.
@group(1) @binding(2) var lut: texture_2d<f32>;
// The relief passes' results (relief.wgsl): sun visibility and ambient
// occlusion per texel, sampled bilinearly (1x1 white when off).
@group(1) @binding(6) var sun_vis: texture_2d<f32>;
@group(1) @binding(7) var ambient_occ: texture_2d<f32>;
@group(1) @binding(8) var linear: sampler;
// Draped images, in the order added (1x1 where unused).
@group(1) @binding(9) var overlay0: texture_2d<f32>;
@group(1) @binding(10) var overlay1: texture_2d<f32>;
@group(1) @binding(11) var overlay2: texture_2d<f32>;
@group(1) @binding(12) var overlay3: texture_2d<f32>;
@group(1) @binding(13) var overlay4: texture_2d<f32>;
@group(1) @binding(14) var overlay5: texture_2d<f32>;
@group(1) @binding(15) var overlay6: texture_2d<f32>;
@group(1) @binding(16) var overlay7: texture_2d<f32>;

struct VsOut {
    // Invariant: the depth pre-pass and the shaded pass must compute the
    // same depth for their equal test.
    @builtin(position) @invariant pos: vec4<f32>,
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

fn overlay_sample(i: u32, uv: vec2<f32>, lod: f32) -> vec4<f32> {
    switch i {
        case 0u: { return textureSampleLevel(overlay0, linear, uv, lod); }
        case 1u: { return textureSampleLevel(overlay1, linear, uv, lod); }
        case 2u: { return textureSampleLevel(overlay2, linear, uv, lod); }
        case 3u: { return textureSampleLevel(overlay3, linear, uv, lod); }
        case 4u: { return textureSampleLevel(overlay4, linear, uv, lod); }
        case 5u: { return textureSampleLevel(overlay5, linear, uv, lod); }
        case 6u: { return textureSampleLevel(overlay6, linear, uv, lod); }
        default: { return textureSampleLevel(overlay7, linear, uv, lod); }
    }
}

// `albedo` with overlay i blended over it where the overlay lies at texel
// coordinates c, which change by dc_dx and dc_dy per pixel: the mip level
// follows from how many image pixels one screen pixel covers (computed
// here, as the sampling is not in uniform control flow).
fn drape(i: u32, c: vec2<f32>, dc_dx: vec2<f32>, dc_dy: vec2<f32>, albedo: vec3<f32>) -> vec3<f32> {
    let e = t.overlay_extent[i];
    let span = e.zw - e.xy;
    let uv = (c - e.xy) / span;
    if (any(uv < vec2<f32>(0.0)) || any(uv > vec2<f32>(1.0))) {
        return albedo;
    }
    let px = t.overlay_params[i].zw / span;
    let footprint = max(length(dc_dx * px), length(dc_dy * px));
    let o = overlay_sample(i, uv, max(log2(max(footprint, 1e-8)), 0.0));
    let a = o.a * t.overlay_params[i].x;
    let mode = u32(t.overlay_params[i].y);
    var blended = o.rgb;
    if (mode == 1u) {
        blended = albedo * o.rgb;
    } else if (mode == 2u) {
        blended = 1.0 - (1.0 - albedo) * (1.0 - o.rgb);
    }
    return mix(albedo, blended, a);
}

// The depth pre-pass (FORGE3D_TERRAIN_PREPASS): the surface's depth alone,
// holes discarded exactly as fs_main discards them, so that fs_main then
// runs once per pixel (depth equal, no depth write, early depth test)
// however many folds of a rough surface overlap there. Writes no colour
// (the pipeline masks it).
@fragment
fn fs_depth(in: VsOut) -> @location(0) vec4<f32> {
    if (in.hole > 0.0) {
        discard;
    }
    let c = clamp(in.texel, vec2<f32>(0.0, 0.0), t.size - vec2<f32>(1.0, 1.0));
    if (height_at(vec2<i32>(round(c))) <= t.hole_below) {
        discard;
    }
    return vec4<f32>(0.0);
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
    // Cell centres are at integer c: the relief textures' texel k covers
    // cells [k, k + 1) * (cells per texel).
    let uv = (c + vec2<f32>(0.5, 0.5)) * t.relief.xy;
    var vis = 1.0;
    if (t.shadows == 1u) {
        vis = textureSampleLevel(sun_vis, linear, uv, 0.0).r;
    }
    var occlusion = 1.0;
    if (t.ao_strength > 0.0) {
        let ao = textureSampleLevel(ambient_occ, linear, uv, 0.0).r;
        occlusion = 1.0 - t.ao_strength * (1.0 - ao);
    }
    let shade = clamp((t.ambient + t.sun_intensity * lambert * vis) * occlusion, 0.0, 1.0);

    let s = color_position(h);
    let color = textureLoad(lut, vec2<i32>(i32(round(s * 255.0)), 0), 0);
    var albedo = color.rgb;
    for (var i = 0u; i < t.overlay_count; i = i + 1u) {
        albedo = drape(i, c, dc_dx, dc_dy, albedo);
    }
    var rgb = albedo * shade;

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

// The bilinear height at texel coordinates c, or a hole (at or below
// t.hole_below) where any of the four texels around c is one.
fn bilinear_height(c: vec2<f32>) -> f32 {
    let base = vec2<i32>(floor(c));
    let f = c - floor(c);
    let h00 = height_at(base);
    let h10 = height_at(base + vec2<i32>(1, 0));
    let h01 = height_at(base + vec2<i32>(0, 1));
    let h11 = height_at(base + vec2<i32>(1, 1));
    if (min(min(h00, h10), min(h01, h11)) <= t.hole_below) {
        return t.hole_below;
    }
    return mix(mix(h00, h10, f.x), mix(h01, h11, f.x), f.y);
}

fn world_at(col: f32, row: f32, z: f32) -> vec4<f32> {
    return vec4<f32>(col * t.spacing.x, (t.size.y - 1.0 - row) * t.spacing.y, z, 1.0);
}

fn to_clip(world: vec4<f32>) -> vec4<f32> {
    let clip = t.view_proj * world;
    return vec4<f32>(clip.xy * tile.scale + tile.offset * clip.w, clip.z, clip.w);
}

struct WaterOut {
    @builtin(position) pos: vec4<f32>,
    @location(0) texel: vec2<f32>,
};

// The water surface: one flat quad over the terrain at the water level
// (a strip of four vertices), drawn after the terrain and blended over it.
@vertex
fn vs_water(@builtin(vertex_index) vi: u32) -> WaterOut {
    let col = f32(vi & 1u) * (t.size.x - 1.0);
    let row = f32(vi >> 1u) * (t.size.y - 1.0);
    var out: WaterOut;
    out.pos = to_clip(world_at(col, row, t.water_level * t.exaggeration));
    out.texel = vec2<f32>(col, row);
    return out;
}

@fragment
fn fs_water(in: WaterOut) -> @location(0) vec4<f32> {
    let c = clamp(in.texel, vec2<f32>(0.0, 0.0), t.size - vec2<f32>(1.0, 1.0));
    let h = bilinear_height(c);
    let depth = t.water_level - h;
    // No water over holes, nor where the ground is above the level.
    if (h <= t.hole_below || depth <= 0.0) {
        discard;
    }
    var rgb = t.water_color.rgb;
    var a = t.water_color.a;
    if (t.water_shading == 1u) {
        // Darker and more opaque with depth, clear at the shore.
        let k = 1.0 - exp(-depth / t.water_depth_scale);
        rgb = rgb * (1.0 - 0.6 * k);
        a = a * mix(0.5, 1.0, k);
    }
    let light = clamp(t.ambient + t.sun_intensity * max(t.sun_dir.z, 0.0), 0.0, 1.0);
    return vec4<f32>(rgb * light, a);
}

struct BaseOut {
    @builtin(position) pos: vec4<f32>,
    @location(0) normal: vec3<f32>,
    // World z of this point of the wall, and of the ground above it.
    @location(1) z: f32,
    @location(2) ground: f32,
};

// The solid base: one wall per side (the instance: 0 north edge, row 0;
// 1 south; 2 west, column 0; 3 east) from the terrain's edge down to
// `base_z`, a strip of two vertices per grid vertex along the edge, which
// are the terrain grid's own edge vertices. At a hole the wall's top is
// its bottom (no wall). With water above the edge the wall goes up to the
// water level, and shows the water above the ground.
@vertex
fn vs_base(@builtin(vertex_index) vi: u32, @builtin(instance_index) side: u32) -> BaseOut {
    let k = f32(vi / 2u);
    let bottom = (vi & 1u) == 1u;
    var col: f32;
    var row: f32;
    var normal: vec3<f32>;
    if (side < 2u) {
        col = round(min(k, t.grid.x) * (t.size.x - 1.0) / t.grid.x);
        row = select(0.0, t.size.y - 1.0, side == 1u);
        normal = vec3<f32>(0.0, select(1.0, -1.0, side == 1u), 0.0);
    } else {
        row = round(min(k, t.grid.y) * (t.size.y - 1.0) / t.grid.y);
        col = select(0.0, t.size.x - 1.0, side == 3u);
        normal = vec3<f32>(select(-1.0, 1.0, side == 3u), 0.0, 0.0);
    }
    let h = height_at(vec2<i32>(i32(col), i32(row)));
    var z = t.base_z;
    var ground = t.base_z;
    if (h > t.hole_below) {
        ground = h * t.exaggeration;
        if (!bottom) {
            z = ground;
            if (t.water_on == 1u) {
                z = max(z, t.water_level * t.exaggeration);
            }
        }
    }
    var out: BaseOut;
    out.pos = to_clip(world_at(col, row, z));
    out.normal = normal;
    out.z = z;
    out.ground = ground;
    return out;
}

@fragment
fn fs_base(in: BaseOut) -> @location(0) vec4<f32> {
    let lambert = max(dot(in.normal, t.sun_dir.xyz), 0.0);
    let shade = clamp(t.ambient + t.sun_intensity * lambert, 0.0, 1.0);
    var rgb = t.base_color.rgb * shade;
    if (t.water_on == 1u && in.z > in.ground) {
        // The water's cross-section, darker with depth like its surface.
        let depth = (t.water_level * t.exaggeration - in.z) / t.exaggeration;
        var water = t.water_color.rgb;
        if (t.water_shading == 1u) {
            water = water * (1.0 - 0.6 * (1.0 - exp(-depth / t.water_depth_scale)));
        }
        rgb = mix(rgb, water * shade, t.water_color.a);
    }
    return vec4<f32>(rgb, 1.0);
}
