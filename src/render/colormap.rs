//! Colormaps as 256-entry RGBA lookup tables (see `colormap_data.rs`).

use super::colormap_data::TABLES;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;

/// Names of the built-in tables accepted by [`lut`].
pub fn names() -> Vec<&'static str> {
    TABLES.iter().map(|(n, _)| *n).collect()
}

/// Prefix of the names [`register`] gives.
pub const TABLE_PREFIX: &str = "table:";

type Registry = parking_lot::RwLock<std::collections::HashMap<String, Vec<[u8; 4]>>>;

fn registry() -> &'static Registry {
    static R: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    R.get_or_init(Default::default)
}

/// Registers a 256-entry RGBA table (a matplotlib colormap, an array of
/// colours) and returns its name, `table:<hash of the contents>`: the same
/// table always gets the same name, so caches keyed by name stay right.
pub fn register(table: &[[u8; 4]]) -> Result<String> {
    if table.len() != 256 {
        return Err(Error::InvalidArgument(format!(
            "colormap: a table must have 256 entries, got {}",
            table.len()
        )));
    }
    // FNV-1a over the bytes: stable across runs and platforms.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in table.iter().flatten() {
        h = (h ^ *b as u64).wrapping_mul(0x100000001b3);
    }
    let name = format!("{TABLE_PREFIX}{h:016x}");
    registry()
        .write()
        .entry(name.clone())
        .or_insert_with(|| table.to_vec());
    Ok(name)
}

/// The RGBA table of colormap `name` (case-insensitive); append `_r` for
/// the reversed map.
pub fn lut(name: &str) -> Result<Vec<[u8; 4]>> {
    if name.starts_with(TABLE_PREFIX) {
        return registry().read().get(name).cloned().ok_or_else(|| {
            Error::InvalidArgument(format!("colormap: no registered table {name:?}"))
        });
    }
    let lower = name.to_ascii_lowercase();
    let (base, reversed) = match lower.strip_suffix("_r") {
        Some(b) => (b, true),
        None => (lower.as_str(), false),
    };
    let hex = TABLES
        .iter()
        .find(|(n, _)| *n == base)
        .map(|(_, h)| *h)
        .ok_or_else(|| {
            Error::InvalidArgument(format!(
                "colormap: unknown name {name:?}; choose one of {} (append _r to reverse), a \
                 matplotlib colormap (name or object, with matplotlib installed) or an (N, 3) / \
                 (N, 4) array of colours",
                names().join(", ")
            ))
        })?;
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("valid hex table"))
        .collect();
    let mut out: Vec<[u8; 4]> = bytes
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2], 255])
        .collect();
    if reversed {
        out.reverse();
    }
    Ok(out)
}

/// The 256 x 1 RGBA8 texture of colormap `name`.
pub(crate) fn lut_texture(ctx: &GpuContext, name: &str) -> Result<wgpu::TextureView> {
    let table = lut(name)?;
    let texture = ctx.device.create_texture(&wgpu::TextureDescriptor {
        label: Some("forge3d colormap"),
        size: wgpu::Extent3d {
            width: 256,
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
        bytemuck::cast_slice(&table),
        wgpu::TexelCopyBufferLayout {
            offset: 0,
            bytes_per_row: Some(256 * 4),
            rows_per_image: Some(1),
        },
        texture.size(),
    );
    Ok(texture.create_view(&Default::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_endpoints() {
        let v = lut("viridis").unwrap();
        assert_eq!(v.len(), 256);
        assert_eq!(v[0], [68, 1, 84, 255]);
        assert_eq!(v[255], [253, 231, 37, 255]);
        let g = lut("gray").unwrap();
        assert_eq!((g[0], g[255]), ([0, 0, 0, 255], [255, 255, 255, 255]));
        assert_eq!(lut("Viridis_r").unwrap()[0], v[255]);
        assert!(lut("jet")
            .unwrap_err()
            .to_string()
            .contains("viridis, magma, terrain, gray"));
    }
}
