//! Upload buffers in host-cached memory (Vulkan).
//!
//! wgpu places MAP_WRITE buffers in memory that prefers `DEVICE_LOCAL |
//! HOST_VISIBLE`: on a discrete GPU with resizable BAR that is video memory
//! written across PCIe, uncached and write-combined. A copy into it runs at
//! bus speed even when the source is in the CPU's cache, so a small upload
//! costs several times a cache-to-cache `np.copyto`. This module allocates a
//! `TRANSFER_SRC` buffer in `HOST_VISIBLE | HOST_COHERENT | HOST_CACHED`
//! memory (ordinary cached system RAM), maps it once for its whole life and
//! hands it to wgpu, which then records GPU copies out of it like out of any
//! other buffer. wgpu never maps it; the caller tracks when the GPU is done
//! with it (`Queue::on_submitted_work_done`).

use std::ptr::NonNull;

/// Where upload buffers live, from `FORGE3D_UPLOAD_MEMORY`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadMemory {
    /// Host-cached memory for uploads up to [`AUTO_HOST_MAX_BYTES`], the
    /// driver's choice (wgpu's MAP_WRITE buffers) above.
    Auto,
    /// Host-cached memory whenever the device offers it.
    Host,
    /// Always the driver's choice.
    Driver,
}

/// Largest upload that `Auto` puts in host-cached memory: a copy that fits
/// in the CPU's caches gains most from cached memory, while a large stream
/// writes across the bus faster than to RAM (a RAM copy also reads the
/// destination's lines first). On an H100 host (`FORGE3D_UPLOAD_MEMORY`
/// set each way, `benches/report.py`): host-cached memory won at 10k and
/// 100k vertices (120 KB, 1.2 MB), the driver's at 1M and 4M vertices and
/// for terrain bands (12 MB and more).
pub const AUTO_HOST_MAX_BYTES: u64 = 2 << 20;

impl UploadMemory {
    /// Parses `FORGE3D_UPLOAD_MEMORY` (`auto`, `host` or `driver`); unset or
    /// empty is `auto`. An unknown value is an error naming the choices.
    pub fn from_env() -> Result<Self, String> {
        Ok(
            match crate::env::choice("FORGE3D_UPLOAD_MEMORY", &["auto", "host", "driver"], "auto")
                .map_err(|e| e.to_string())?
            {
                "host" => Self::Host,
                "driver" => Self::Driver,
                _ => Self::Auto,
            },
        )
    }

    /// True when an upload of `size` bytes should try host-cached memory.
    pub fn wants_host(self, size: u64) -> bool {
        match self {
            Self::Auto => size <= AUTO_HOST_MAX_BYTES,
            Self::Host => true,
            Self::Driver => false,
        }
    }
}

/// What a host-mapped buffer is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// The source of GPU copies (usage `COPY_SRC`).
    Upload,
    /// Read by shaders as a storage buffer (usage `STORAGE`), e.g. heights
    /// on adapters whose memory is host memory anyway.
    Storage,
}

/// A wgpu buffer over host-cached memory mapped at `ptr` for the buffer's
/// whole life; `None` when the device is not Vulkan, has no such memory
/// type, or the allocation fails (the caller then falls back to memory that
/// wgpu allocates).
pub fn create(device: &wgpu::Device, size: u64) -> Option<(wgpu::Buffer, NonNull<u8>)> {
    create_for(device, size, Use::Upload)
}

/// [`create`] for any [`Use`].
pub fn create_for(
    device: &wgpu::Device,
    size: u64,
    usage: Use,
) -> Option<(wgpu::Buffer, NonNull<u8>)> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        vulkan::create(device, size, usage)
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = (device, size, usage);
        None
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod vulkan {
    use std::ptr::NonNull;

    use ash::vk;
    use wgpu::hal::api::Vulkan;

    pub(super) fn create(
        device: &wgpu::Device,
        size: u64,
        usage: super::Use,
    ) -> Option<(wgpu::Buffer, NonNull<u8>)> {
        let (vk_usage, wgpu_usage, label) = match usage {
            super::Use::Upload => (
                vk::BufferUsageFlags::TRANSFER_SRC,
                wgpu::BufferUsages::COPY_SRC,
                "forge3d upload (host-cached)",
            ),
            super::Use::Storage => (
                vk::BufferUsageFlags::STORAGE_BUFFER,
                wgpu::BufferUsages::STORAGE,
                "forge3d storage (host-mapped)",
            ),
        };
        if size == 0 {
            return None;
        }
        // SAFETY: only used to read handles and call Vulkan functions that
        // create objects of our own; wgpu's objects are not touched.
        let hal = unsafe { device.as_hal::<Vulkan>() }?;
        let raw = hal.raw_device();
        let info = vk::BufferCreateInfo::default()
            .size(size)
            .usage(vk_usage)
            .sharing_mode(vk::SharingMode::EXCLUSIVE);
        // SAFETY: valid device and create info.
        let buffer = unsafe { raw.create_buffer(&info, None) }.ok()?;
        let destroy_buffer = |b| unsafe { raw.destroy_buffer(b, None) };
        // SAFETY: `buffer` was created on `raw` above.
        let req = unsafe { raw.get_buffer_memory_requirements(buffer) };
        let instance = hal.shared_instance().raw_instance();
        // SAFETY: the physical device belongs to this instance.
        let props =
            unsafe { instance.get_physical_device_memory_properties(hal.raw_physical_device()) };
        let want = vk::MemoryPropertyFlags::HOST_VISIBLE
            | vk::MemoryPropertyFlags::HOST_COHERENT
            | vk::MemoryPropertyFlags::HOST_CACHED;
        let avoid = vk::MemoryPropertyFlags::PROTECTED | vk::MemoryPropertyFlags::LAZILY_ALLOCATED;
        let Some(type_index) = (0..props.memory_type_count).find(|&i| {
            let flags = props.memory_types[i as usize].property_flags;
            req.memory_type_bits & (1 << i) != 0 && flags.contains(want) && !flags.intersects(avoid)
        }) else {
            destroy_buffer(buffer);
            return None;
        };
        let alloc = vk::MemoryAllocateInfo::default()
            .allocation_size(req.size)
            .memory_type_index(type_index);
        // SAFETY: valid allocate info for this device.
        let memory = match unsafe { raw.allocate_memory(&alloc, None) } {
            Ok(m) => m,
            Err(_) => {
                destroy_buffer(buffer);
                return None;
            }
        };
        let free = |m| unsafe { raw.free_memory(m, None) };
        // SAFETY: memory of a type the buffer accepts, large enough, unbound.
        let mapped = unsafe { raw.bind_buffer_memory(buffer, memory, 0) }.and_then(|()| unsafe {
            raw.map_memory(memory, 0, vk::WHOLE_SIZE, vk::MemoryMapFlags::empty())
        });
        let ptr = match mapped.ok().and_then(|p| NonNull::new(p.cast::<u8>())) {
            Some(p) => p,
            None => {
                destroy_buffer(buffer);
                free(memory);
                return None;
            }
        };
        drop(hal);
        // SAFETY: wgpu-hal takes ownership of `buffer` and `memory` (it
        // destroys the buffer and frees the memory, which also unmaps it,
        // when the wgpu buffer is dropped and the GPU is done with it); the
        // buffer is bound, `size` bytes long, and wgpu never maps it.
        let buffer = unsafe {
            let hal_buffer = wgpu::hal::vulkan::Buffer::from_raw_managed(buffer, memory, 0, size);
            device.create_buffer_from_hal::<Vulkan>(
                hal_buffer,
                &wgpu::BufferDescriptor {
                    label: Some(label),
                    size,
                    usage: wgpu_usage,
                    mapped_at_creation: false,
                },
            )
        };
        Some((buffer, ptr))
    }
}
