//! The copy ledger: every CPU-side copy or conversion of bulk bytes in
//! forge3d goes through [`copy_into`] or [`record`], which note
//! `(operation, bytes, source pointer, reason)` for the calling thread.
//!
//! Records are kept while at least one [`Session`] is open on the thread (the
//! Python `forge3d.copy_ledger()` context opens one); process-wide totals are
//! kept always.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

/// One CPU copy or conversion of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyRecord {
    /// What kind of copy: e.g. `"upload"`, `"convert"`, `"png_encode"`.
    pub operation: &'static str,
    /// Bytes read from the source.
    pub bytes: usize,
    /// Address of the first source byte.
    pub source_ptr: usize,
    /// Why the copy was needed, in the caller's terms.
    pub reason: String,
}

#[derive(Default)]
struct ThreadLedger {
    open_sessions: usize,
    records: Vec<CopyRecord>,
}

thread_local! {
    static LEDGER: RefCell<ThreadLedger> = RefCell::new(ThreadLedger::default());
}

static TOTAL_COPIES: AtomicU64 = AtomicU64::new(0);
static TOTAL_BYTES: AtomicU64 = AtomicU64::new(0);

/// Notes a copy or conversion that the caller performs itself.
pub fn record(operation: &'static str, bytes: usize, source_ptr: *const u8, reason: &str) {
    TOTAL_COPIES.fetch_add(1, Ordering::Relaxed);
    TOTAL_BYTES.fetch_add(bytes as u64, Ordering::Relaxed);
    LEDGER.with(|l| {
        let mut l = l.borrow_mut();
        if l.open_sessions > 0 {
            l.records.push(CopyRecord {
                operation,
                bytes,
                source_ptr: source_ptr as usize,
                reason: reason.to_string(),
            });
        }
    });
}

/// Copies `src` into `dst` (same length) and records it.
pub fn copy_into(dst: &mut [u8], src: &[u8], operation: &'static str, reason: &str) {
    assert_eq!(dst.len(), src.len(), "ledger::copy_into: length mismatch");
    dst.copy_from_slice(src);
    record(operation, src.len(), src.as_ptr(), reason);
}

/// Process-wide `(copies, bytes)` since start, over all threads.
pub fn totals() -> (u64, u64) {
    (
        TOTAL_COPIES.load(Ordering::Relaxed),
        TOTAL_BYTES.load(Ordering::Relaxed),
    )
}

/// An open view of this thread's ledger; [`Session::records`] lists what
/// was recorded since it opened. Sessions nest.
pub struct Session {
    start: usize,
    // Thread-bound: records live in a thread-local.
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Session {
    pub fn open() -> Session {
        let start = LEDGER.with(|l| {
            let mut l = l.borrow_mut();
            l.open_sessions += 1;
            l.records.len()
        });
        Session {
            start,
            _not_send: std::marker::PhantomData,
        }
    }

    /// Records made on this thread since the session opened.
    pub fn records(&self) -> Vec<CopyRecord> {
        LEDGER.with(|l| l.borrow().records.get(self.start..).unwrap_or(&[]).to_vec())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        LEDGER.with(|l| {
            let mut l = l.borrow_mut();
            l.open_sessions = l.open_sessions.saturating_sub(1);
            if l.open_sessions == 0 {
                l.records.clear();
            }
        });
    }
}

/// Opens a session without a guard (for bindings that cannot hold a Rust
/// guard across calls); returns the start index for [`records_since`].
pub fn open_raw() -> usize {
    let s = Session::open();
    let start = s.start;
    std::mem::forget(s);
    start
}

/// Records since `start` on this thread.
pub fn records_since(start: usize) -> Vec<CopyRecord> {
    LEDGER.with(|l| l.borrow().records.get(start..).unwrap_or(&[]).to_vec())
}

/// Closes a session opened with [`open_raw`].
pub fn close_raw(start: usize) {
    drop(Session {
        start,
        _not_send: std::marker::PhantomData,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_only_while_a_session_is_open_and_sessions_nest() {
        record("upload", 10, std::ptr::null(), "before");
        let outer = Session::open();
        let src = [1u8, 2, 3, 4];
        let mut dst = [0u8; 4];
        copy_into(&mut dst, &src, "upload", "test");
        assert_eq!(dst, src);
        let inner = Session::open();
        record("convert", 8, src.as_ptr(), "f64 to f32");
        assert_eq!(inner.records().len(), 1);
        drop(inner);
        let all = outer.records();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].source_ptr, src.as_ptr() as usize);
        assert_eq!(all[0].bytes, 4);
        assert_eq!(all[1].reason, "f64 to f32");
        drop(outer);
        assert!(Session::open().records().is_empty());
    }
}
