// Draws the points that points_raster.wgsl rasterised: one triangle over
// the tile; each pixel a point holds gets that point's colour (from the same
// sources as points.wgsl) and depth, so the depth test against the other
// layers is the render pass's, as for points drawn as triangles. One
// fragment entry point per color source, without branches (as points.wgsl).

// (Tile, Draw, d and lut come from draw.wgsl.)

@group(1) @binding(4) var<storage, read> colors: array<u32>;
@group(1) @binding(5) var<storage, read> scalars: array<f32>;
@group(1) @binding(6) var<storage, read> keys: array<u32>;
@group(1) @binding(7) var<storage, read> winners: array<u32>;

struct VsOut {
    @builtin(position) pos: vec4<f32>,
    // The tile's first row in the frame.
    @location(0) @interpolate(flat) first_row: u32,
};

@vertex
fn vs_main(@builtin(vertex_index) vi: u32) -> VsOut {
    var out: VsOut;
    out.pos = vec4<f32>(select(-1.0, 3.0, vi == 1u), select(-1.0, 3.0, vi == 2u), 0.0, 1.0);
    // Inverts the tile transform (target.rs, tile_transform): the tile holds
    // rows y0 .. y0 + rows of the frame, scale = height / rows and
    // offset = 1 - scale + 2 * y0 / rows.
    let rows = d.viewport.y / tile.scale.y;
    out.first_row = u32(round((tile.offset.y - 1.0 + tile.scale.y) * rows * 0.5));
    return out;
}

struct Hit {
    // Point index + 1; 0 when no point covers the pixel.
    owner: u32,
    depth: f32,
};

fn hit(in: VsOut) -> Hit {
    let x = u32(in.pos.x);
    let y = u32(in.pos.y) + in.first_row;
    let w = u32(d.viewport.x);
    if (x >= w || y >= u32(d.viewport.y)) {
        return Hit(0u, 1.0);
    }
    let k = y * w + x;
    let owner = winners[k];
    if (owner == 0u) {
        return Hit(0u, 1.0);
    }
    return Hit(owner, bitcast<f32>(~keys[k]));
}

struct FsOut {
    @location(0) color: vec4<f32>,
    @builtin(frag_depth) depth: f32,
};

fn shade(color: vec4<f32>, h: Hit) -> FsOut {
    return FsOut(vec4<f32>(color.rgb, 1.0), h.depth);
}

@fragment
fn fs_plain(in: VsOut) -> FsOut {
    let h = hit(in);
    if (h.owner == 0u) {
        discard;
    }
    return shade(d.color, h);
}

@fragment
fn fs_rgba8(in: VsOut) -> FsOut {
    let h = hit(in);
    if (h.owner == 0u) {
        discard;
    }
    let w = colors[h.owner - 1u];
    let rgba = vec4<f32>(
        f32(w & 255u), f32((w >> 8u) & 255u), f32((w >> 16u) & 255u), f32(w >> 24u),
    ) / 255.0;
    return shade(rgba * d.color, h);
}

@fragment
fn fs_rgba32f(in: VsOut) -> FsOut {
    let h = hit(in);
    if (h.owner == 0u) {
        discard;
    }
    let k = (h.owner - 1u) * 4u;
    let rgba = vec4<f32>(
        bitcast<f32>(colors[k]), bitcast<f32>(colors[k + 1u]),
        bitcast<f32>(colors[k + 2u]), bitcast<f32>(colors[k + 3u]),
    );
    return shade(rgba * d.color, h);
}

@fragment
fn fs_scalars(in: VsOut) -> FsOut {
    let h = hit(in);
    if (h.owner == 0u) {
        discard;
    }
    let s = clamp((scalars[h.owner - 1u] - d.scalar_range.x) * d.scalar_range.y, 0.0, 1.0);
    return shade(textureLoad(lut, vec2<i32>(i32(round(s * 255.0)), 0), 0), h);
}
