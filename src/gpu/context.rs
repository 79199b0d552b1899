//! `GpuContext`: created lazily once per process and shared by every renderer.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::adapter::{self, AdapterFilter, DeviceInfo};
use crate::error::{Error, Result};
use crate::gpu::alloc::readback::ReadbackPool;
use crate::gpu::alloc::upload::UploadPool;

/// Instance, adapter, device and queue, plus what forge3d needs to turn
/// wgpu's errors into [`Error`] values instead of panics.
pub struct GpuContext {
    /// Kept for windows: a surface is made by the instance that found the
    /// adapter, and its formats are the adapter's to tell.
    pub instance: wgpu::Instance,
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: DeviceInfo,
    pub limits: wgpu::Limits,
    /// Pooled MAP_READ buffers that frames borrow and give back on drop.
    pub readback_pool: ReadbackPool,
    /// Mapped MAP_WRITE buffers that uploads copy into.
    pub upload_pool: UploadPool,
    lost: Arc<Mutex<Option<String>>>,
    uncaptured: Arc<Mutex<Vec<String>>>,
    cache: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

/// Runs `f` inside out-of-memory and validation error scopes of `device`
/// (scopes are per thread, so other threads' errors never land here) and
/// turns what they catch into [`Error::Gpu`] naming `what`. The pools use it
/// for every buffer they create, so a buffer that failed is never kept.
pub fn device_scoped<T>(device: &wgpu::Device, what: &str, f: impl FnOnce() -> T) -> Result<T> {
    let oom = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let out = f();
    let v = pollster::block_on(validation.pop());
    let o = pollster::block_on(oom.pop());
    match (o, v) {
        (Some(e), _) => Err(Error::Gpu(format!(
            "{what} failed: the GPU (or, on a CPU adapter, the host) is out of memory ({e}); \
             render or upload less at once, or drop frames and arrays you no longer need"
        ))),
        (None, Some(e)) => Err(Error::Gpu(format!("{what} failed on the GPU: {e}"))),
        (None, None) => Ok(out),
    }
}

static CONTEXT: Mutex<Option<Arc<GpuContext>>> = Mutex::new(None);

impl GpuContext {
    /// The shared context, created on first use. A failure is not cached, so
    /// a caller can install a driver or change `FORGE3D_BACKEND` and retry.
    pub fn shared() -> Result<Arc<GpuContext>> {
        let mut slot = CONTEXT.lock();
        if let Some(ctx) = slot.as_ref() {
            ctx.check_alive()?;
            return Ok(ctx.clone());
        }
        let ctx = Arc::new(Self::create(&AdapterFilter::from_env()?)?);
        *slot = Some(ctx.clone());
        Ok(ctx)
    }

    /// Creates a context for the best adapter that passes `filter`.
    pub fn create(filter: &AdapterFilter) -> Result<GpuContext> {
        // Native APIs first; GL only when they find nothing (probing EGL is
        // slow and noisy on headless machines).
        let native = wgpu::Backends::VULKAN | wgpu::Backends::METAL | wgpu::Backends::DX12;
        let wanted = filter.backends.unwrap_or(native | wgpu::Backends::GL);
        let mut adapters: Vec<(wgpu::Adapter, wgpu::Instance)> = Vec::new();
        for group in [wanted & native, wanted & wgpu::Backends::GL] {
            if group.is_empty() {
                continue;
            }
            let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
            desc.backends = group;
            let instance = wgpu::Instance::new(desc);
            let mut found = pollster::block_on(instance.enumerate_adapters(group));
            if let Some(needle) = &filter.name {
                let needle = needle.to_lowercase();
                found.retain(|a| a.get_info().name.to_lowercase().contains(&needle));
            }
            adapters.extend(found.into_iter().map(|a| (a, instance.clone())));
            if !adapters.is_empty() {
                break;
            }
        }
        let found: Vec<(String, String)> = adapters
            .iter()
            .map(|(a, _)| {
                let i = a.get_info();
                (i.name, adapter::backend_name(i.backend))
            })
            .collect();
        adapters.sort_by_key(|(a, _)| std::cmp::Reverse(adapter::preference(&a.get_info())));
        let Some((chosen, instance)) = adapters.into_iter().next() else {
            let seen = if found.is_empty() {
                "none".to_string()
            } else {
                found
                    .iter()
                    .map(|(n, b)| format!("{n} ({b})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(Error::Gpu(format!(
                "no GPU adapter available ({}; adapters seen: {seen}). Install a Vulkan driver: on \
                 Debian/Ubuntu `sudo apt-get install mesa-vulkan-drivers` provides Mesa's software \
                 renderer lavapipe; or relax FORGE3D_BACKEND / FORGE3D_ADAPTER.",
                filter.describe()
            )));
        };
        let ainfo = chosen.get_info();
        let mut limits = chosen.limits();
        // A smaller texture side on request: how inputs larger than a
        // texture are split can then be seen (and tested) with small data.
        if let Some(side) =
            crate::env::whole_number("FORGE3D_MAX_TEXTURE_SIDE", u32::MAX as u64, "texels")?
        {
            if side < 256 {
                return Err(Error::InvalidArgument(format!(
                    "FORGE3D_MAX_TEXTURE_SIDE={side} must be at least 256 texels (or unset for \
                     the device's own limit)"
                )));
            }
            limits.max_texture_dimension_2d = limits.max_texture_dimension_2d.min(side as u32);
        }
        // Optional features asked for where the adapter has them: gridding
        // tables on the GPU needs float64 and 64-bit atomics; profiling,
        // timestamps.
        let features =
            chosen.features() & (crate::grid::gpu::required_features() | super::timer::features());
        let (device, queue) = pollster::block_on(chosen.request_device(&wgpu::DeviceDescriptor {
            label: Some("forge3d"),
            required_features: features,
            required_limits: limits.clone(),
            memory_hints: wgpu::MemoryHints::Performance,
            ..Default::default()
        }))
        .map_err(|e| {
            let advice = if ainfo.backend == wgpu::Backend::Gl {
                " (this is the OpenGL fallback, chosen because no Vulkan driver was found: \
                 install your GPU's Vulkan driver, e.g. NVIDIA's libnvidia-gl package with its \
                 Vulkan ICD, or Mesa's `mesa-vulkan-drivers` for the software renderer; or pick \
                 another adapter with FORGE3D_ADAPTER / FORGE3D_BACKEND)"
            } else {
                " (check the driver with `vulkaninfo --summary`; FORGE3D_ADAPTER and \
                 FORGE3D_BACKEND choose another adapter)"
            };
            Error::Gpu(format!(
                "could not open GPU device {:?} ({}): {e}{advice}",
                ainfo.name,
                adapter::backend_name(ainfo.backend)
            ))
        })?;

        let lost = Arc::new(Mutex::new(None::<String>));
        let lost_cb = lost.clone();
        device.set_device_lost_callback(move |reason, msg| {
            *lost_cb.lock() = Some(format!("GPU device lost ({reason:?}): {msg}"));
        });
        // wgpu's default handler panics; keep errors for the call that made them.
        let uncaptured = Arc::new(Mutex::new(Vec::new()));
        let sink = uncaptured.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            sink.lock().push(e.to_string());
        }));

        let info = DeviceInfo {
            name: ainfo.name.clone(),
            backend: adapter::backend_name(ainfo.backend),
            device_type: adapter::device_type_name(ainfo.device_type).to_string(),
            driver: ainfo.driver.clone(),
            driver_info: ainfo.driver_info.clone(),
            vendor: ainfo.vendor,
            software: adapter::is_software(&ainfo),
            max_texture_dimension: limits.max_texture_dimension_2d,
            max_texture_array_layers: limits.max_texture_array_layers,
            max_buffer_size: limits.max_buffer_size,
            alternatives: found
                .into_iter()
                .filter(|(n, b)| !(n == &ainfo.name && b == &adapter::backend_name(ainfo.backend)))
                .collect(),
        };
        Ok(GpuContext {
            instance,
            adapter: chosen,
            readback_pool: ReadbackPool::new(device.clone()),
            upload_pool: UploadPool::new(device.clone(), queue.clone())?,
            device,
            queue,
            info,
            limits,
            lost,
            uncaptured,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// `Err` once the device is lost; every entry point checks this first.
    pub fn check_alive(&self) -> Result<()> {
        match self.lost.lock().as_ref() {
            Some(msg) => Err(Error::Gpu(msg.clone())),
            None => Ok(()),
        }
    }

    /// Runs `f` inside validation and out-of-memory error scopes and turns any
    /// error wgpu reports into [`Error::Gpu`] naming `what`.
    pub fn scoped<T>(&self, what: &str, f: impl FnOnce() -> T) -> Result<T> {
        self.check_alive()?;
        let out = device_scoped(&self.device, what, f)?;
        let mut stray = self.uncaptured.lock();
        if !stray.is_empty() {
            let msg = stray.join("; ");
            stray.clear();
            return Err(Error::Gpu(format!("{what}: GPU error: {msg}")));
        }
        drop(stray);
        self.check_alive()?;
        Ok(out)
    }

    /// Blocks until all submitted GPU work has finished (uploads included)
    /// and pooled buffers are back.
    pub fn synchronize(&self) -> Result<()> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::Gpu(format!("waiting for the GPU failed: {e}")))?;
        self.check_alive()
    }

    /// Blocks until `submission` has finished on the GPU and map callbacks ran.
    pub fn wait(&self, submission: wgpu::SubmissionIndex) -> Result<()> {
        self.device
            .poll(wgpu::PollType::Wait {
                submission_index: Some(submission),
                timeout: None,
            })
            .map_err(|e| Error::Gpu(format!("waiting for the GPU failed: {e}")))?;
        self.check_alive()
    }

    /// The one `T` of this context (a pipeline, a layout), made on first use
    /// so shaders compile once per process rather than once per renderer.
    pub fn cached<T: Any + Send + Sync>(&self, make: impl FnOnce(&GpuContext) -> T) -> Arc<T> {
        let key = TypeId::of::<T>();
        let hit = self.cache.lock().get(&key).cloned();
        if let Some(v) = hit {
            return v.downcast::<T>().expect("cache entry of the wrong type");
        }
        // Not under the lock: `make` may itself ask for other cached values.
        let made: Arc<dyn Any + Send + Sync> = Arc::new(make(self));
        let mut cache = self.cache.lock();
        let entry = cache.entry(key).or_insert(made).clone();
        entry
            .downcast::<T>()
            .expect("cache entry of the wrong type")
    }

    /// True when frames live in host memory anyway (CPU or integrated
    /// adapters), so render targets are kept small and rendered in tiles.
    pub fn shares_host_memory(&self) -> bool {
        self.info.software || self.info.device_type == "integrated_gpu"
    }

    /// True when a buffer's mapping stays valid memory until the buffer is
    /// destroyed, even after unmap (Vulkan through gpu-allocator, Metal's
    /// shared storage). Mapped writes handed to Python rely on it; other
    /// backends stage such writes in host memory instead.
    pub fn mappings_persist(&self) -> bool {
        matches!(self.info.backend.as_str(), "vulkan" | "metal")
    }
}
