//! What the terrain looks like besides its colormap: water, a solid base
//! and draped overlay images (shadows and occlusion are in `relief.rs`,
//! contours and colour scales in `scale.rs`).

use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::memory::ledger;

/// Most overlays draped over one terrain (one texture binding each).
pub const MAX_OVERLAYS: usize = 8;

/// A water surface at `level`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Water {
    /// Height (same units as the heights) of the surface.
    pub level: f32,
    /// RGB in [0, 1] and opacity.
    pub color: [f32; 4],
    /// Whether the colour darkens (and grows more opaque) with depth.
    pub depth_shading: bool,
    /// The depth (height units) over which it darkens; `None`: a quarter of
    /// the depth from the level to the lowest height.
    pub depth_scale: Option<f32>,
}

impl Water {
    pub fn validate(&self) -> Result<()> {
        if !self.level.is_finite() {
            return Err(Error::InvalidArgument(format!(
                "level must be a finite height, got {}",
                self.level
            )));
        }
        check_color("color", self.color)?;
        if let Some(s) = self.depth_scale {
            if !s.is_finite() || s <= 0.0 {
                return Err(Error::InvalidArgument(format!(
                    "depth_scale must be a positive height difference, got {s}"
                )));
            }
        }
        Ok(())
    }

    /// The depth scale in effect over heights down to `min`.
    pub fn scale(&self, min: f32) -> f32 {
        self.depth_scale
            .unwrap_or(((self.level - min) / 4.0).max(f32::MIN_POSITIVE.sqrt()))
    }
}

/// Side walls from the terrain's edge down to a base.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Base {
    /// How far below the lowest height the base is (height units); `None`:
    /// a tenth of the height range (at least one unit).
    pub depth: Option<f32>,
    /// RGB in [0, 1] (alpha ignored).
    pub color: [f32; 4],
}

impl Base {
    pub fn validate(&self) -> Result<()> {
        if let Some(d) = self.depth {
            if !d.is_finite() || d < 0.0 {
                return Err(Error::InvalidArgument(format!(
                    "depth must be a finite height difference >= 0, got {d}"
                )));
            }
        }
        check_color("color", self.color)
    }

    /// The base height (height units) under heights from `min` to `max`.
    pub fn bottom(&self, min: f32, max: f32) -> f32 {
        min - self.depth.unwrap_or(((max - min) / 10.0).max(1.0))
    }
}

fn check_color(name: &str, c: [f32; 4]) -> Result<()> {
    if !c.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)) {
        return Err(Error::InvalidArgument(format!(
            "{name} must have components within [0, 1], got {c:?}"
        )));
    }
    Ok(())
}

/// How an overlay combines with the colour under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blend {
    /// The overlay over the colour, by its alpha.
    Over,
    /// Colour times overlay (darkens; white leaves it).
    Multiply,
    /// One minus the product of the inverses (lightens; black leaves it).
    Screen,
}

impl Blend {
    pub const NAMES: [&'static str; 3] = ["over", "multiply", "screen"];

    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "over" => Ok(Self::Over),
            "multiply" => Ok(Self::Multiply),
            "screen" => Ok(Self::Screen),
            _ => Err(Error::InvalidArgument(format!(
                "blend must be one of {}, got {name:?}",
                Self::NAMES.join(", ")
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// An RGBA8 image borrowed from the caller: `rows` x `cols` x 4 bytes.
#[derive(Debug, Clone, Copy)]
pub struct ImageRef<'a> {
    pub data: &'a [u8],
    pub rows: usize,
    pub cols: usize,
}

/// Where an overlay lies, in texel coordinates of the heights: the image's
/// left, top, right and bottom edges (texel centres are at integers, so
/// the whole grid's footprint is (-0.5, -0.5, cols - 0.5, rows - 0.5)).
pub type Extent = [f32; 4];

/// An image draped over the terrain.
pub(crate) struct Overlay {
    pub id: u64,
    pub view: wgpu::TextureView,
    pub extent: Extent,
    pub opacity: f32,
    pub blend: Blend,
    pub size: (usize, usize),
}

impl Overlay {
    /// Uploads `image` (one CPU copy, recorded) into a new texture.
    pub fn new(
        ctx: &GpuContext,
        id: u64,
        image: ImageRef<'_>,
        extent: Extent,
        opacity: f32,
        blend: Blend,
    ) -> Result<Self> {
        let max = ctx.limits.max_texture_dimension_2d as usize;
        let (rows, cols) = (image.rows, image.cols);
        if rows == 0 || cols == 0 || rows > max || cols > max {
            return Err(Error::InvalidArgument(format!(
                "image: shape ({rows}, {cols}) must be at least 1x1 and at most {max} per side \
                 (this device's texture limit); downsample it (e.g. image[::2, ::2])"
            )));
        }
        assert_eq!(image.data.len(), rows * cols * 4, "ImageRef length");
        check_extent(extent)?;
        if !opacity.is_finite() || !(0.0..=1.0).contains(&opacity) {
            return Err(Error::InvalidArgument(format!(
                "opacity must be within [0, 1], got {opacity}"
            )));
        }
        let size = wgpu::Extent3d {
            width: cols as u32,
            height: rows as u32,
            depth_or_array_layers: 1,
        };
        let texture = ctx.scoped("creating an overlay texture", || {
            ctx.device.create_texture(&wgpu::TextureDescriptor {
                label: Some("forge3d overlay"),
                size,
                mip_level_count: super::mipmap::level_count(cols as u32, rows as u32),
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::Rgba8Unorm,
                usage: wgpu::TextureUsages::TEXTURE_BINDING
                    | wgpu::TextureUsages::COPY_DST
                    | wgpu::TextureUsages::RENDER_ATTACHMENT,
                view_formats: &[],
            })
        })?;
        // The queue copies the caller's rows once into its upload memory;
        // the GPU copies them from there into the texture.
        ctx.scoped("uploading an overlay", || {
            ctx.queue.write_texture(
                texture.as_image_copy(),
                image.data,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(cols as u32 * 4),
                    rows_per_image: Some(rows as u32),
                },
                size,
            )
        })?;
        ledger::record(
            "upload",
            image.data.len(),
            image.data.as_ptr(),
            "overlay image into GPU upload memory",
        );
        // The smaller levels, averaged on the GPU from the image.
        ctx.scoped("making the overlay's mip levels", || {
            super::mipmap::generate(ctx, &texture)
        })?;
        Ok(Self {
            id,
            view: texture.create_view(&Default::default()),
            extent,
            opacity,
            blend,
            size: (rows, cols),
        })
    }
}

pub(crate) fn check_extent(e: Extent) -> Result<()> {
    let [l, t, r, b] = e;
    if !e.iter().all(|v| v.is_finite()) || l >= r || t >= b {
        return Err(Error::InvalidArgument(format!(
            "extent must be finite with left < right and top < bottom (in cells: col_start < \
             col_stop, row_start < row_stop), got {e:?}"
        )));
    }
    Ok(())
}

/// A 1x1 white texture bound where a relief pass or overlay is unused.
pub(crate) struct White(pub wgpu::TextureView);

impl White {
    pub fn new(ctx: &GpuContext) -> Self {
        let texture = ctx.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("forge3d white"),
            size: wgpu::Extent3d {
                width: 1,
                height: 1,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::Rgba8Unorm,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        ctx.queue.write_texture(
            texture.as_image_copy(),
            &[255; 4],
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(4),
                rows_per_image: Some(1),
            },
            texture.size(),
        );
        Self(texture.create_view(&Default::default()))
    }
}

/// The bilinear, edge-clamped sampler of the relief and overlay textures.
pub(crate) struct Linear(pub wgpu::Sampler);

impl Linear {
    pub fn new(ctx: &GpuContext) -> Self {
        Self(ctx.device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("forge3d linear"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            mipmap_filter: wgpu::MipmapFilterMode::Linear,
            ..Default::default()
        }))
    }
}
