//! `HostBuffer`: an [`arrow_buffer::Buffer`] plus the shape, dtype and origin
//! that NumPy, Arrow and DLPack exports need. Whatever owns the bytes (Rust,
//! a borrowed Python object, a mapped GPU buffer) sits behind the Buffer, so
//! every export shares the same memory and keeps its owner alive.

use arrow_buffer::Buffer;
use arrow_schema::DataType;

/// Element type of a [`HostBuffer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    U8,
    F32,
    I32,
    U32,
}

impl DType {
    pub fn itemsize(self) -> usize {
        match self {
            DType::U8 => 1,
            DType::F32 | DType::I32 | DType::U32 => 4,
        }
    }

    /// PEP 3118 / struct format character.
    pub fn format(self) -> &'static str {
        match self {
            DType::U8 => "B",
            DType::F32 => "f",
            DType::I32 => "i",
            DType::U32 => "I",
        }
    }

    pub fn arrow(self) -> DataType {
        match self {
            DType::U8 => DataType::UInt8,
            DType::F32 => DataType::Float32,
            DType::I32 => DataType::Int32,
            DType::U32 => DataType::UInt32,
        }
    }

    /// DLPack `(code, bits)`: kDLInt = 0, kDLUInt = 1, kDLFloat = 2.
    pub fn dlpack(self) -> (u8, u8) {
        match self {
            DType::U8 => (1, 8),
            DType::F32 => (2, 32),
            DType::I32 => (0, 32),
            DType::U32 => (1, 32),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DType::U8 => "uint8",
            DType::F32 => "float32",
            DType::I32 => "int32",
            DType::U32 => "uint32",
        }
    }
}

/// Where the bytes of a [`HostBuffer`] live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Allocated by Rust (64-byte aligned).
    Rust,
    /// Borrowed from a caller's object without copying.
    Borrowed,
    /// A mapped GPU readback buffer: the memory the GPU wrote into.
    MappedReadback,
    /// A mapped GPU upload buffer: memory the GPU copies from.
    MappedUpload,
}

/// Bulk host memory with a C-contiguous shape.
#[derive(Debug, Clone)]
pub struct HostBuffer {
    buffer: Buffer,
    shape: Vec<usize>,
    dtype: DType,
    origin: Origin,
}

impl HostBuffer {
    /// Wraps `buffer`; its length must be `prod(shape) * itemsize`.
    pub fn new(buffer: Buffer, shape: Vec<usize>, dtype: DType, origin: Origin) -> Self {
        let want = shape.iter().product::<usize>() * dtype.itemsize();
        assert_eq!(
            buffer.len(),
            want,
            "HostBuffer: length does not match shape"
        );
        Self {
            buffer,
            shape,
            dtype,
            origin,
        }
    }

    pub fn buffer(&self) -> &Buffer {
        &self.buffer
    }
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }
    pub fn dtype(&self) -> DType {
        self.dtype
    }
    pub fn origin(&self) -> Origin {
        self.origin
    }
    pub fn len_bytes(&self) -> usize {
        self.buffer.len()
    }
    pub fn as_ptr(&self) -> *const u8 {
        self.buffer.as_ptr()
    }
    pub fn as_slice(&self) -> &[u8] {
        self.buffer.as_slice()
    }
    /// C-contiguous strides in bytes.
    pub fn strides(&self) -> Vec<usize> {
        let mut strides = vec![0; self.shape.len()];
        let mut acc = self.dtype.itemsize();
        for (s, d) in strides.iter_mut().zip(&self.shape).rev() {
            *s = acc;
            acc *= *d;
        }
        strides
    }
}
