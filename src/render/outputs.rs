//! Depth and world-position planes of a render, beside its colour frame:
//! a compute pass per tile unprojects the depth buffer (outputs.wgsl) into
//! storage, copied by the GPU into readback memory like the frame, so the
//! planes reach Python without a CPU copy.

use std::sync::OnceLock;

use super::camera::Mat4;
use crate::error::{Error, Result};
use crate::gpu::{layout, GpuContext};

/// Stride of per-band uniforms (WebGPU's largest min offset alignment).
const UNIFORM_STRIDE: u64 = 256;

pub(crate) const OUTPUTS_WGSL: &str = concat!(
    "@group(0) @binding(1) var depth_tex: texture_depth_2d;\n",
    include_str!("outputs.wgsl")
);
/// The variant over a multisampled depth buffer (sample 0).
pub(crate) const OUTPUTS_MS_WGSL: &str = concat!(
    "@group(0) @binding(1) var depth_tex: texture_depth_multisampled_2d;\n",
    include_str!("outputs.wgsl")
);
pub(crate) const WORKGROUP: (u32, u32) = (64, 4);

/// Which planes a render returns besides the colour frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outputs {
    /// float32 (H, W): distance from the camera in world units.
    pub depth: bool,
    /// float32 (H, W, 3): world position.
    pub xyz: bool,
}

impl Outputs {
    pub fn any(self) -> bool {
        self.depth || self.xyz
    }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct UnprojectUniform {
    pub inv_view_proj: [[f32; 4]; 4],
    pub eye: [f32; 4],
    pub width: u32,
    pub height: u32,
    pub y0: u32,
    pub rows: u32,
    pub planes: u32,
    pub tile_row: u32,
    pub _pad: [u32; 2],
}

/// The unproject pipelines: one per depth sample count (1, 4).
pub(crate) struct UnprojectPipelines {
    variants: [OnceLock<(wgpu::BindGroupLayout, wgpu::ComputePipeline)>; 2],
}

impl UnprojectPipelines {
    pub fn new(_: &GpuContext) -> Self {
        Self {
            variants: Default::default(),
        }
    }

    pub fn get(
        &self,
        ctx: &GpuContext,
        samples: u32,
    ) -> &(wgpu::BindGroupLayout, wgpu::ComputePipeline) {
        let ms = samples > 1;
        self.variants[usize::from(ms)].get_or_init(|| {
            let c = wgpu::ShaderStages::COMPUTE;
            let source = if ms { OUTPUTS_MS_WGSL } else { OUTPUTS_WGSL };
            layout::compute_pipeline(
                &ctx.device,
                "forge3d unproject",
                &[
                    layout::uniform(0, c, Some(std::mem::size_of::<UnprojectUniform>() as u64)),
                    wgpu::BindGroupLayoutEntry {
                        binding: 1,
                        visibility: c,
                        ty: wgpu::BindingType::Texture {
                            sample_type: wgpu::TextureSampleType::Depth,
                            view_dimension: wgpu::TextureViewDimension::D2,
                            multisampled: ms,
                        },
                        count: None,
                    },
                    layout::storage(2, c, false),
                    layout::storage(3, c, false),
                ],
                source,
            )
        })
    }
}

/// The inverse of column-major `m`, in f64 (None when singular).
pub(crate) fn invert(m: &Mat4) -> Option<[[f64; 4]; 4]> {
    // Row-major copy: a[r][c] = m[c][r].
    let mut a = [[0.0f64; 8]; 4];
    for (r, row) in a.iter_mut().enumerate() {
        for c in 0..4 {
            row[c] = m[c][r] as f64;
        }
        row[4 + r] = 1.0;
    }
    // Gauss-Jordan with partial pivoting.
    for col in 0..4 {
        let pivot = (col..4).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        let p = a[col][col];
        for v in a[col].iter_mut() {
            *v /= p;
        }
        for r in 0..4 {
            if r != col {
                let f = a[r][col];
                if f != 0.0 {
                    for k in 0..8 {
                        a[r][k] -= f * a[col][k];
                    }
                }
            }
        }
    }
    // Back to column-major.
    let mut out = [[0.0f64; 4]; 4];
    for (r, row) in a.iter().enumerate() {
        for (c, col) in out.iter_mut().enumerate() {
            col[r] = row[4 + c];
        }
    }
    Some(out)
}

/// The unproject uniform for a frame of `width` x `height` seen through
/// `view_proj` (without the tile fields).
pub(crate) fn unproject_uniform(
    view_proj: &Mat4,
    width: u32,
    height: u32,
    outputs: Outputs,
) -> Result<UnprojectUniform> {
    let inv = invert(view_proj).ok_or_else(|| {
        Error::InvalidArgument(
            "the camera's view-projection cannot be inverted (a degenerate camera); depth and \
             xyz outputs need a camera that sees a volume"
                .into(),
        )
    })?;
    // The eye: the point the projection sends to w = 0 with x = y = 0, the
    // inverse applied to (0, 0, 1, 0) (w = 0 for an orthographic camera).
    let e: [f64; 4] = std::array::from_fn(|r| inv[2][r]);
    let scale = e.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    let eye = if e[3].abs() > 1e-12 * scale {
        [e[0] / e[3], e[1] / e[3], e[2] / e[3], 1.0]
    } else {
        [0.0; 4]
    };
    Ok(UnprojectUniform {
        inv_view_proj: inv.map(|c| c.map(|v| v as f32)),
        eye: eye.map(|v| v as f32),
        width,
        height,
        y0: 0,
        rows: 0,
        planes: outputs.depth as u32 | (outputs.xyz as u32) << 1,
        tile_row: 0,
        _pad: [0; 2],
    })
}

/// What the unproject pass needs of the target it reads.
pub(crate) struct TargetShape<'a> {
    pub width: u32,
    pub height: u32,
    pub tile_rows: u32,
    pub tiles: u32,
    pub samples: u32,
    pub depth_view: &'a wgpu::TextureView,
}

/// The unproject pass of one render: per band of rows of each tile, a
/// dispatch into band-sized storage and GPU copies into readback memory.
pub(crate) struct Unproject {
    width: u32,
    /// Rows per band (a storage binding is limited in size).
    band_rows: u32,
    bands_per_tile: u32,
    bind_groups: Vec<wgpu::BindGroup>,
    pipeline: wgpu::ComputePipeline,
    depth_band: wgpu::Buffer,
    xyz_band: wgpu::Buffer,
    pub depth_readback: Option<wgpu::Buffer>,
    pub xyz_readback: Option<wgpu::Buffer>,
}

impl Unproject {
    pub fn new(
        ctx: &GpuContext,
        target: &TargetShape<'_>,
        base: &UnprojectUniform,
    ) -> Result<Self> {
        let (w, h) = (target.width as u64, target.height as u64);
        let max_binding = ctx.limits.max_storage_buffer_binding_size as u64;
        let band_rows = (max_binding / (w * 12)).clamp(1, target.tile_rows as u64) as u32;
        let bands_per_tile = target.tile_rows.div_ceil(band_rows);
        let bands = target.tiles * bands_per_tile;
        let set = ctx.cached(UnprojectPipelines::new);
        let (layout, pipeline) = set.get(ctx, target.samples);
        let want = |on: bool, bytes: u64| -> Result<Option<wgpu::Buffer>> {
            on.then(|| ctx.readback_pool.acquire(bytes)).transpose()
        };
        let depth_readback = want(base.planes & 1 != 0, w * h * 4)?;
        let xyz_readback = match want(base.planes & 2 != 0, w * h * 12) {
            Ok(b) => b,
            Err(e) => {
                if let Some(b) = depth_readback {
                    ctx.readback_pool.discard(b);
                }
                return Err(e);
            }
        };
        let made = ctx.scoped("creating the depth / xyz planes", || {
            let storage = |label, bytes: u64| {
                ctx.device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some(label),
                    size: bytes.max(4),
                    usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                    mapped_at_creation: false,
                })
            };
            let band = w * band_rows as u64;
            let depth_band = storage("forge3d depth band", band * 4 * (base.planes & 1) as u64);
            let xyz_band = storage(
                "forge3d xyz band",
                band * 12 * (base.planes >> 1 & 1) as u64,
            );
            let uniforms = ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("forge3d unproject"),
                size: bands as u64 * UNIFORM_STRIDE,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let depth_view = target.depth_view;
            let bind_groups = (0..bands)
                .map(|b| {
                    ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                        label: Some("forge3d unproject"),
                        layout,
                        entries: &[
                            wgpu::BindGroupEntry {
                                binding: 0,
                                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                                    buffer: &uniforms,
                                    offset: b as u64 * UNIFORM_STRIDE,
                                    size: wgpu::BufferSize::new(
                                        std::mem::size_of::<UnprojectUniform>() as u64,
                                    ),
                                }),
                            },
                            wgpu::BindGroupEntry {
                                binding: 1,
                                resource: wgpu::BindingResource::TextureView(depth_view),
                            },
                            wgpu::BindGroupEntry {
                                binding: 2,
                                resource: depth_band.as_entire_binding(),
                            },
                            wgpu::BindGroupEntry {
                                binding: 3,
                                resource: xyz_band.as_entire_binding(),
                            },
                        ],
                    })
                })
                .collect();
            (uniforms, bind_groups, depth_band, xyz_band)
        });
        let (uniforms, bind_groups, depth_band, xyz_band) = match made {
            Ok(m) => m,
            Err(e) => {
                for b in [depth_readback, xyz_readback].into_iter().flatten() {
                    ctx.readback_pool.discard(b);
                }
                return Err(e);
            }
        };
        // Every band's uniform, written before the frame is submitted.
        let mut bytes = vec![0u8; bands as usize * UNIFORM_STRIDE as usize];
        for t in 0..target.tiles {
            let y0 = t * target.tile_rows;
            let rows = target.tile_rows.min(target.height - y0);
            for k in 0..bands_per_tile {
                let start = k * band_rows;
                let u = UnprojectUniform {
                    y0: y0 + start,
                    rows: band_rows.min(rows.saturating_sub(start)),
                    tile_row: start,
                    ..*base
                };
                let at = ((t * bands_per_tile + k) as u64 * UNIFORM_STRIDE) as usize;
                let u_bytes = bytemuck::bytes_of(&u);
                bytes[at..at + u_bytes.len()].copy_from_slice(u_bytes);
            }
        }
        ctx.queue.write_buffer(&uniforms, 0, &bytes);
        Ok(Self {
            width: target.width,
            band_rows,
            bands_per_tile,
            bind_groups,
            pipeline: pipeline.clone(),
            depth_band,
            xyz_band,
            depth_readback,
            xyz_readback,
        })
    }

    /// Records tile `t` (frame rows `y0 .. y0 + rows`).
    pub fn record(&self, encoder: &mut wgpu::CommandEncoder, t: u32, y0: u32, rows: u32) {
        let bands_per_tile = self.bands_per_tile;
        let w = self.width as u64;
        for k in 0..bands_per_tile {
            let start = k * self.band_rows;
            if start >= rows {
                break;
            }
            let n = self.band_rows.min(rows - start);
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("forge3d unproject"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(&self.pipeline);
                pass.set_bind_group(0, &self.bind_groups[(t * bands_per_tile + k) as usize], &[]);
                pass.dispatch_workgroups(
                    self.width.div_ceil(WORKGROUP.0),
                    n.div_ceil(WORKGROUP.1),
                    1,
                );
            }
            let row0 = (y0 + start) as u64;
            if let Some(d) = &self.depth_readback {
                encoder.copy_buffer_to_buffer(
                    &self.depth_band,
                    0,
                    d,
                    row0 * w * 4,
                    n as u64 * w * 4,
                );
            }
            if let Some(x) = &self.xyz_readback {
                encoder.copy_buffer_to_buffer(
                    &self.xyz_band,
                    0,
                    x,
                    row0 * w * 12,
                    n as u64 * w * 12,
                );
            }
        }
    }

    pub fn discard(self, ctx: &GpuContext) {
        for b in [self.depth_readback, self.xyz_readback]
            .into_iter()
            .flatten()
        {
            ctx.readback_pool.discard(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::camera::{look_at, mul, perspective};

    #[test]
    fn inverse_and_eye_of_a_perspective_camera() {
        let eye = [3.0, -4.0, 5.0];
        let vp = mul(
            &perspective(0.8, 1.5, 0.5, 50.0),
            &look_at(eye, [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]),
        );
        let inv = invert(&vp).unwrap();
        // inv * vp = identity.
        for i in 0..4 {
            for j in 0..4 {
                let v: f64 = (0..4).map(|k| inv[k][i] * vp[j][k] as f64).sum();
                assert!((v - (i == j) as u8 as f64).abs() < 1e-5, "{i} {j} {v}");
            }
        }
        let u = unproject_uniform(
            &vp,
            10,
            10,
            Outputs {
                depth: true,
                xyz: true,
            },
        )
        .unwrap();
        for k in 0..3 {
            assert!((u.eye[k] - eye[k]).abs() < 1e-3, "{:?}", u.eye);
        }
        assert_eq!(u.eye[3], 1.0);
        assert_eq!(u.planes, 3);
    }
}
