// Lit triangle meshes: per-vertex positions, optional normals (flat shading
// from screen-space derivatives when absent), colors or scalars through a
// colormap. Absent attributes are bound with stride 0 (one value for all).

// (Tile, Draw, d and lut come from draw.wgsl.)

struct VsIn {
    @location(0) position: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) color: vec4<f32>,
    @location(3) scalar: f32,
};

struct VsOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) world: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) color: vec4<f32>,
    @location(3) scalar: f32,
};

@vertex
fn vs_main(v: VsIn) -> VsOut {
    let clip = d.view_proj * vec4<f32>(v.position, 1.0);
    var out: VsOut;
    out.clip = vec4<f32>(clip.xy * tile.scale + tile.offset * clip.w, clip.z, clip.w);
    out.world = v.position;
    out.normal = v.normal;
    out.color = v.color;
    out.scalar = v.scalar;
    return out;
}

@fragment
fn fs_main(in: VsOut, @builtin(front_facing) front: bool) -> @location(0) vec4<f32> {
    // Facing the viewer: framebuffer x right, y down.
    let flat_normal = cross(dpdy(in.world), dpdx(in.world));
    var n = in.normal;
    if (dot(n, n) < 1e-12) {
        n = flat_normal;
    } else if (!front) {
        n = -n;
    }
    n = normalize(n);
    let lambert = max(dot(n, d.sun_dir.xyz), 0.0);
    let shade = clamp(d.ambient + d.sun_intensity * lambert, 0.0, 1.0);
    var base = in.color * d.color;
    if ((d.flags & 1u) != 0u) {
        let s = clamp((in.scalar - d.scalar_range.x) * d.scalar_range.y, 0.0, 1.0);
        base = textureLoad(lut, vec2<i32>(i32(round(s * 255.0)), 0), 0);
    }
    return vec4<f32>(base.rgb * shade, 1.0);
}
