//! Conversions of strided numeric arrays to C-contiguous float32, each one a
//! single recorded pass in the copy ledger.

use super::alloc::AlignedBlock;
use super::{ledger, DType, HostBuffer, Origin};
use crate::error::Result;

/// Element types that convert to float32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numeric {
    F16,
    F32,
    F64,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
}

impl Numeric {
    pub fn itemsize(self) -> usize {
        match self {
            Numeric::I8 | Numeric::U8 => 1,
            Numeric::F16 | Numeric::I16 | Numeric::U16 => 2,
            Numeric::F32 | Numeric::I32 | Numeric::U32 => 4,
            Numeric::F64 | Numeric::I64 | Numeric::U64 => 8,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Numeric::F16 => "float16",
            Numeric::F32 => "float32",
            Numeric::F64 => "float64",
            Numeric::I8 => "int8",
            Numeric::U8 => "uint8",
            Numeric::I16 => "int16",
            Numeric::U16 => "uint16",
            Numeric::I32 => "int32",
            Numeric::U32 => "uint32",
            Numeric::I64 => "int64",
            Numeric::U64 => "uint64",
        }
    }
}

/// A 2-D strided view of foreign memory.
#[derive(Debug, Clone, Copy)]
pub struct Strided2d {
    pub ptr: *const u8,
    pub rows: usize,
    pub cols: usize,
    /// Byte strides (may be negative for reversed views).
    pub strides: [isize; 2],
    pub dtype: Numeric,
    /// Bytes are in the other byte order than this machine's.
    pub swapped: bool,
}

impl Strided2d {
    pub fn is_c_contiguous(&self) -> bool {
        let item = self.dtype.itemsize() as isize;
        (self.cols <= 1 || self.strides[1] == item)
            && (self.rows <= 1 || self.strides[0] == item * self.cols as isize)
    }

    /// True when the memory can be read as native float32 without a copy.
    pub fn is_native_f32_contiguous(&self) -> bool {
        self.dtype == Numeric::F32 && !self.swapped && self.is_c_contiguous()
    }
}

#[inline]
unsafe fn read<const N: usize>(p: *const u8, swapped: bool) -> [u8; N] {
    let mut b = unsafe { std::ptr::read_unaligned(p as *const [u8; N]) };
    if swapped {
        b.reverse();
    }
    b
}

#[inline]
unsafe fn load(p: *const u8, t: Numeric, swapped: bool) -> f32 {
    unsafe {
        match t {
            Numeric::F16 => half::f16::from_ne_bytes(read::<2>(p, swapped)).to_f32(),
            Numeric::F32 => f32::from_ne_bytes(read::<4>(p, swapped)),
            Numeric::F64 => f64::from_ne_bytes(read::<8>(p, swapped)) as f32,
            Numeric::I8 => *p as i8 as f32,
            Numeric::U8 => *p as f32,
            Numeric::I16 => i16::from_ne_bytes(read::<2>(p, swapped)) as f32,
            Numeric::U16 => u16::from_ne_bytes(read::<2>(p, swapped)) as f32,
            Numeric::I32 => i32::from_ne_bytes(read::<4>(p, swapped)) as f32,
            Numeric::U32 => u32::from_ne_bytes(read::<4>(p, swapped)) as f32,
            Numeric::I64 => i64::from_ne_bytes(read::<8>(p, swapped)) as f32,
            Numeric::U64 => u64::from_ne_bytes(read::<8>(p, swapped)) as f32,
        }
    }
}

/// Why a conversion is needed, in the caller's terms.
pub fn reason(src: &Strided2d) -> String {
    let mut why = Vec::new();
    if src.dtype != Numeric::F32 {
        why.push(format!("{} -> float32", src.dtype.name()));
    }
    if src.swapped {
        why.push("non-native byte order".to_string());
    }
    if !src.is_c_contiguous() {
        why.push("not C-contiguous".to_string());
    }
    if why.is_empty() {
        why.push("copy=True".to_string());
    }
    why.join(", ")
}

/// Converts `src` into a new, 64-byte aligned, C-contiguous float32 buffer.
/// The allocation is fallible: a size no allocator grants is an
/// [`crate::Error::OutOfMemory`] whose message starts with `reason_text`.
///
/// # Safety
/// `src` must describe readable memory for every element it addresses.
pub unsafe fn to_f32_contiguous(src: &Strided2d, reason_text: &str) -> Result<HostBuffer> {
    unsafe { to_f32_contiguous_then(src, reason_text, |_| {}) }
}

/// [`to_f32_contiguous`], with `fix` applied to the converted values before
/// they are frozen (e.g. writing holes).
///
/// # Safety
/// `src` must describe readable memory for every element it addresses.
pub unsafe fn to_f32_contiguous_then(
    src: &Strided2d,
    reason_text: &str,
    fix: impl FnOnce(&mut [f32]),
) -> Result<HostBuffer> {
    let what = reason_text.split(':').next().unwrap_or(reason_text);
    let n = src
        .rows
        .checked_mul(src.cols)
        .ok_or_else(|| crate::Error::OutOfMemory(format!("{what}: too many values")))?;
    let mut out = AlignedBlock::new(what, n, 4, false)?;
    {
        // SAFETY: the block holds n floats; every element is written below
        // before it is read.
        let dst = out.as_mut_ptr::<f32>();
        let mut k = 0usize;
        for r in 0..src.rows {
            let row = unsafe { src.ptr.offset(r as isize * src.strides[0]) };
            if src.dtype == Numeric::F32 && !src.swapped && src.strides[1] == 4 {
                // Bytes, not floats: the source may be misaligned.
                unsafe { std::ptr::copy_nonoverlapping(row, dst.add(k) as *mut u8, src.cols * 4) };
                k += src.cols;
                continue;
            }
            for c in 0..src.cols {
                let p = unsafe { row.offset(c as isize * src.strides[1]) };
                unsafe { dst.add(k).write(load(p, src.dtype, src.swapped)) };
                k += 1;
            }
        }
    }
    // SAFETY: all n floats were written above.
    fix(unsafe { out.as_mut_slice::<f32>() });
    ledger::record("convert", n * src.dtype.itemsize(), src.ptr, reason_text);
    Ok(HostBuffer::new(
        out.freeze(),
        vec![src.rows, src.cols],
        DType::F32,
        Origin::Rust,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int16_and_strided_f64_convert_exactly_and_are_recorded() {
        let session = ledger::Session::open();
        let v: Vec<i16> = vec![-32768, 0, 7, 32767];
        let s = Strided2d {
            ptr: v.as_ptr() as *const u8,
            rows: 2,
            cols: 2,
            strides: [4, 2],
            dtype: Numeric::I16,
            swapped: false,
        };
        let out = unsafe { to_f32_contiguous(&s, &reason(&s)) }.unwrap();
        let f: &[f32] = bytemuck::cast_slice(out.as_slice());
        assert_eq!(f, &[-32768.0, 0.0, 7.0, 32767.0]);
        // Every other column of a 2x4 float64 array.
        let d: Vec<f64> = (0..8).map(|i| i as f64 + 0.5).collect();
        let s = Strided2d {
            ptr: d.as_ptr() as *const u8,
            rows: 2,
            cols: 2,
            strides: [32, 16],
            dtype: Numeric::F64,
            swapped: false,
        };
        assert!(!s.is_c_contiguous());
        let out = unsafe { to_f32_contiguous(&s, &reason(&s)) }.unwrap();
        let f: &[f32] = bytemuck::cast_slice(out.as_slice());
        assert_eq!(f, &[0.5, 2.5, 4.5, 6.5]);
        let recs = session.records();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].reason, "int16 -> float32");
        assert_eq!(recs[1].reason, "float64 -> float32, not C-contiguous");
        assert_eq!(recs[1].source_ptr, d.as_ptr() as usize);
    }

    #[test]
    fn byte_swapped_values_are_read_in_their_order() {
        let be: Vec<u8> = 1.5f32
            .to_be_bytes()
            .into_iter()
            .chain(2.0f32.to_be_bytes())
            .collect();
        let s = Strided2d {
            ptr: be.as_ptr(),
            rows: 1,
            cols: 2,
            strides: [8, 4],
            dtype: Numeric::F32,
            swapped: cfg!(target_endian = "little"),
        };
        let out = unsafe { to_f32_contiguous(&s, "test") }.unwrap();
        assert_eq!(bytemuck::cast_slice::<u8, f32>(out.as_slice()), &[1.5, 2.0]);
    }
}
