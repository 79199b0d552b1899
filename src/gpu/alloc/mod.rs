//! GPU memory the CPU reads or writes, beside the device that makes it
//! (as re_renderer's `allocator/`): pooled mapped readback buffers that
//! frames are handed out over, pooled mapped upload memory that inputs are
//! copied into once, and host-cached buffers for adapters whose memory is
//! host memory.

pub mod belt;
pub mod host_cached;
pub mod readback;
pub mod upload;
