//! `Frame`: a rendered RGBA8 image whose bytes are the mapped readback memory
//! the GPU wrote into.

use std::path::Path;

use crate::error::{Error, Result};
use crate::memory::{ledger, HostBuffer};

/// An RGBA8 image of shape (height, width, 4), C-contiguous, rows tightly
/// packed. Cloning shares the memory.
#[derive(Debug, Clone)]
pub struct Frame {
    memory: HostBuffer,
}

impl Frame {
    pub(crate) fn new(memory: HostBuffer) -> Self {
        debug_assert_eq!(memory.shape().len(), 3);
        Self { memory }
    }

    pub fn width(&self) -> u32 {
        self.memory.shape()[1] as u32
    }
    pub fn height(&self) -> u32 {
        self.memory.shape()[0] as u32
    }
    /// `(height, width, 4)`.
    pub fn shape(&self) -> [usize; 3] {
        let s = self.memory.shape();
        [s[0], s[1], s[2]]
    }
    pub fn memory(&self) -> &HostBuffer {
        &self.memory
    }
    /// The RGBA bytes, row after row.
    pub fn as_bytes(&self) -> &[u8] {
        self.memory.as_slice()
    }
    /// RGBA of the pixel at column `x`, row `y` (row 0 is the top).
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let i = (y as usize * self.width() as usize + x as usize) * 4;
        let b = self.as_bytes();
        [b[i], b[i + 1], b[i + 2], b[i + 3]]
    }

    /// PNG bytes (for Jupyter's `_repr_png_`). Encoding reads the mapped
    /// memory directly; it is recorded in the copy ledger as `png_encode`.
    pub fn encode_png(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let encoder = image::codecs::png::PngEncoder::new(&mut out);
        image::ImageEncoder::write_image(
            encoder,
            self.as_bytes(),
            self.width(),
            self.height(),
            image::ExtendedColorType::Rgba8,
        )
        .map_err(|e| Error::Io(format!("PNG encoding failed: {e}")))?;
        ledger::record(
            "png_encode",
            self.as_bytes().len(),
            self.memory.as_ptr(),
            "encode PNG",
        );
        Ok(out)
    }

    /// Writes a PNG file at `path`.
    pub fn save_png(&self, path: &Path) -> Result<()> {
        if path.as_os_str().is_empty() {
            return Err(Error::InvalidArgument("path: must not be empty".into()));
        }
        if path.is_dir() {
            return Err(Error::InvalidArgument(format!(
                "path: {} is a directory; pass a file name such as {}",
                path.display(),
                path.join("frame.png").display()
            )));
        }
        let file = std::fs::File::create(path)
            .map_err(|e| Error::Io(format!("cannot write PNG to {}: {e}", path.display())))?;
        let encoder = image::codecs::png::PngEncoder::new(std::io::BufWriter::new(file));
        image::ImageEncoder::write_image(
            encoder,
            self.as_bytes(),
            self.width(),
            self.height(),
            image::ExtendedColorType::Rgba8,
        )
        .map_err(|e| Error::Io(format!("cannot write PNG to {}: {e}", path.display())))?;
        ledger::record(
            "png_encode",
            self.as_bytes().len(),
            self.memory.as_ptr(),
            "write PNG file",
        );
        Ok(())
    }
}
