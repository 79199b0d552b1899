//! Where a terrain's heights are kept on the GPU: a texture array filled
//! by GPU copies, or a host-mapped storage buffer (CPU adapters); what the
//! shaders bind of each, and one height read back.

use super::heights::HeightsBuffer;
use super::pipeline::HeightsBinding;
use super::upload::TextureLayout;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;

/// A terrain's heights on the GPU.
pub(super) enum GpuHeights {
    /// A texture array in GPU memory, filled by GPU copies out of upload
    /// memory, one layer per band of rows and column tile.
    Texture {
        texture: wgpu::Texture,
        view: wgpu::TextureView,
        layout: TextureLayout,
    },
    /// A storage buffer in host memory, written by the CPU copy itself.
    Buffer(HeightsBuffer),
}

impl GpuHeights {
    /// The stored height at (`row`, `col`) (holes as stored): read in place
    /// from a host-mapped buffer, or copied back from the texture (4 bytes).
    pub(super) fn value_at(&self, ctx: &GpuContext, row: usize, col: usize) -> Result<f32> {
        match self {
            GpuHeights::Buffer(b) => b
                .value_at(row, col)
                .ok_or_else(|| Error::Gpu(format!("no stored height at ({row}, {col})"))),
            GpuHeights::Texture {
                texture, layout, ..
            } => {
                let (band_rows, tile_cols) = (layout.band_rows as usize, layout.tile_cols as usize);
                let layer = (row / band_rows) as u32 * layout.tiles_x + (col / tile_cols) as u32;
                let read = ctx.device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("forge3d height at a cell"),
                    size: 4,
                    usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                });
                let submission = ctx.scoped("reading a height back", || {
                    let mut enc =
                        ctx.device
                            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                                label: Some("forge3d height at a cell"),
                            });
                    enc.copy_texture_to_buffer(
                        wgpu::TexelCopyTextureInfo {
                            texture,
                            mip_level: 0,
                            origin: wgpu::Origin3d {
                                x: (col % tile_cols) as u32,
                                y: (row % band_rows) as u32,
                                z: layer,
                            },
                            aspect: wgpu::TextureAspect::All,
                        },
                        wgpu::TexelCopyBufferInfo {
                            buffer: &read,
                            layout: wgpu::TexelCopyBufferLayout {
                                offset: 0,
                                bytes_per_row: None,
                                rows_per_image: None,
                            },
                        },
                        wgpu::Extent3d {
                            width: 1,
                            height: 1,
                            depth_or_array_layers: 1,
                        },
                    );
                    ctx.queue.submit([enc.finish()])
                })?;
                let words = crate::gpu::alloc::readback::map_small(ctx, &read, submission)?;
                let word = words
                    .first()
                    .ok_or_else(|| Error::Gpu("reading a height back: no value".into()))?;
                Ok(f32::from_bits(*word))
            }
        }
    }

    pub(super) fn binding(&self) -> HeightsBinding {
        match self {
            GpuHeights::Texture { .. } => HeightsBinding::Texture,
            GpuHeights::Buffer(_) => HeightsBinding::Buffer,
        }
    }

    /// The heights' bind group entries (binding 1, or the bands).
    pub(super) fn entries(&self) -> Vec<wgpu::BindGroupEntry<'_>> {
        match self {
            GpuHeights::Texture { view, .. } => vec![wgpu::BindGroupEntry {
                binding: 1,
                resource: wgpu::BindingResource::TextureView(view),
            }],
            GpuHeights::Buffer(b) => b.bindings(),
        }
    }

    pub(super) fn texture(&self) -> Option<&wgpu::Texture> {
        match self {
            GpuHeights::Texture { texture, .. } => Some(texture),
            GpuHeights::Buffer(_) => None,
        }
    }

    /// Rows per texture layer or per buffer binding.
    pub(super) fn band_rows(&self) -> u32 {
        match self {
            GpuHeights::Texture { layout, .. } => layout.band_rows,
            GpuHeights::Buffer(b) => b.band_rows(),
        }
    }

    /// Columns per texture layer (`None`: whole rows).
    pub(super) fn tile_cols(&self) -> Option<u32> {
        match self {
            GpuHeights::Texture { layout, .. } if layout.tiles_x > 1 => Some(layout.tile_cols),
            _ => None,
        }
    }
}
