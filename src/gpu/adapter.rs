//! Adapter choice: `FORGE3D_BACKEND` and `FORGE3D_ADAPTER` narrow it, then a
//! hardware adapter is preferred over a software one (lavapipe, llvmpipe).

use crate::error::{Error, Result};

/// What the environment asks of the adapter.
#[derive(Debug, Clone, Default)]
pub struct AdapterFilter {
    /// Backends to look at (`FORGE3D_BACKEND`); all native ones when unset.
    pub backends: Option<wgpu::Backends>,
    /// Case-insensitive substring of the adapter name (`FORGE3D_ADAPTER`).
    pub name: Option<String>,
}

impl AdapterFilter {
    /// Reads `FORGE3D_BACKEND` (vulkan, gl, metal, dx12; comma-separated) and
    /// `FORGE3D_ADAPTER`.
    pub fn from_env() -> Result<Self> {
        let backends = match crate::env::var("FORGE3D_BACKEND")? {
            Some(v) => Some(parse_backends(&v)?),
            None => None,
        };
        let name = crate::env::var("FORGE3D_ADAPTER")?;
        Ok(Self { backends, name })
    }

    pub(crate) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(b) = self.backends {
            parts.push(format!("FORGE3D_BACKEND={}", backend_names(b)));
        }
        if let Some(n) = &self.name {
            parts.push(format!("FORGE3D_ADAPTER={n:?}"));
        }
        if parts.is_empty() {
            "no FORGE3D_BACKEND/FORGE3D_ADAPTER set".to_string()
        } else {
            parts.join(", ")
        }
    }
}

fn parse_backends(value: &str) -> Result<wgpu::Backends> {
    let mut out = wgpu::Backends::empty();
    for part in value.split(',') {
        out |= match part.trim().to_ascii_lowercase().as_str() {
            "vulkan" | "vk" => wgpu::Backends::VULKAN,
            "gl" | "gles" | "opengl" => wgpu::Backends::GL,
            "metal" | "mtl" => wgpu::Backends::METAL,
            "dx12" | "d3d12" => wgpu::Backends::DX12,
            other => {
                return Err(Error::InvalidArgument(format!(
                    "FORGE3D_BACKEND: unknown backend {other:?}; expected one of vulkan, gl, metal, dx12 \
                     (comma-separated), or unset it to let forge3d choose"
                )))
            }
        };
    }
    Ok(out)
}

fn backend_names(b: wgpu::Backends) -> String {
    let mut v = Vec::new();
    for (flag, name) in [
        (wgpu::Backends::VULKAN, "vulkan"),
        (wgpu::Backends::GL, "gl"),
        (wgpu::Backends::METAL, "metal"),
        (wgpu::Backends::DX12, "dx12"),
    ] {
        if b.contains(flag) {
            v.push(name);
        }
    }
    v.join(",")
}

/// Higher is better: hardware first, software last; native APIs before GL.
pub(crate) fn preference(info: &wgpu::AdapterInfo) -> (u8, u8) {
    let kind = match info.device_type {
        wgpu::DeviceType::DiscreteGpu => 4,
        wgpu::DeviceType::IntegratedGpu => 3,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 1,
        wgpu::DeviceType::Cpu => 0,
    };
    let api = match info.backend {
        wgpu::Backend::Vulkan | wgpu::Backend::Metal | wgpu::Backend::Dx12 => 1,
        _ => 0,
    };
    (kind, api)
}

/// True for CPU rasterisers (lavapipe, llvmpipe, WARP, SwiftShader).
pub(crate) fn is_software(info: &wgpu::AdapterInfo) -> bool {
    if info.device_type == wgpu::DeviceType::Cpu {
        return true;
    }
    let name = info.name.to_ascii_lowercase();
    ["llvmpipe", "lavapipe", "softpipe", "swiftshader", "warp"]
        .iter()
        .any(|s| name.contains(s))
}

/// What `forge3d.device_info()` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub name: String,
    pub backend: String,
    pub device_type: String,
    pub driver: String,
    pub driver_info: String,
    pub vendor: u32,
    pub software: bool,
    pub max_texture_dimension: u32,
    pub max_texture_array_layers: u32,
    pub max_buffer_size: u64,
    /// Other adapters that were found but not chosen (name, backend).
    pub alternatives: Vec<(String, String)>,
}

pub(crate) fn device_type_name(t: wgpu::DeviceType) -> &'static str {
    match t {
        wgpu::DeviceType::DiscreteGpu => "discrete_gpu",
        wgpu::DeviceType::IntegratedGpu => "integrated_gpu",
        wgpu::DeviceType::VirtualGpu => "virtual_gpu",
        wgpu::DeviceType::Cpu => "cpu",
        wgpu::DeviceType::Other => "other",
    }
}

pub(crate) fn backend_name(b: wgpu::Backend) -> String {
    b.to_str().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_list_parses_and_rejects_unknown_names() {
        assert_eq!(
            parse_backends("vulkan, GL").unwrap(),
            wgpu::Backends::VULKAN | wgpu::Backends::GL
        );
        let err = parse_backends("vulcan").unwrap_err().to_string();
        assert!(
            err.contains("FORGE3D_BACKEND") && err.contains("vulcan"),
            "{err}"
        );
    }
}
