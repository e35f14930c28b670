//! Freed memory kept for the next batch while a job runs, and handed back when it ends.
//!
//! glibc's malloc serves blocks above a moving threshold (128 KiB at first) with fresh `mmap`s
//! and gives the top of its heap back to the OS once 128 KiB of it is free. Every batch of a
//! classification or training job allocates activations of sizes that change with the batch's
//! length, so the same few hundred megabytes were returned and faulted in again, zero-filled by
//! the kernel, batch after batch: 450,000 page faults and 12 % of a 2,000-text classification
//! spent in the kernel. Keeping freed blocks in the heap (blocks up to 32 MiB, the most glibc
//! allows, come from the heap; its top is never trimmed while a job runs) cut the faults to
//! 35,000 and raised classification from about 295 to about 330 texts/s on the sample; peak
//! memory is the same, as the batches reuse the same blocks. Other allocators (macOS, Windows,
//! musl) are left as they are.

/// The largest block glibc lets come from the heap rather than its own `mmap`
/// (`HEAP_MAX_SIZE / 2` on 64-bit targets); larger values are refused.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const LARGEST_HEAP_BLOCK: libc::c_int = 32 << 20;

/// Keeps freed memory in the process for the next batch (once per process; idempotent).
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: mallopt only changes malloc's tuning parameters; it is thread-safe.
        ONCE.call_once(|| unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, LARGEST_HEAP_BLOCK);
            libc::mallopt(libc::M_TRIM_THRESHOLD, libc::c_int::MAX);
        });
    }
}

/// Hands the memory a finished job freed back to the OS, so a long-running app does not keep
/// the peak of its last job.
pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free pages of malloc's own arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use std::hint::black_box;

    use super::*;

    /// Minor page faults of the calling thread so far.
    fn page_faults_here() -> i64 {
        // SAFETY: getrusage writes into the zeroed struct we own.
        unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            assert_eq!(libc::getrusage(libc::RUSAGE_THREAD, &mut usage), 0);
            usage.ru_minflt
        }
    }

    /// Allocates and writes `bytes` (each page touched once), then frees them.
    fn touch_and_free(bytes: usize) {
        let block = black_box(vec![1u8; bytes]);
        drop(black_box(block));
    }

    #[test]
    fn a_freed_batch_sized_block_is_reused_without_page_faults() {
        // A fresh thread: its own malloc arena, and its own fault counter.
        std::thread::spawn(|| {
            keep_freed_memory();
            let bytes = 24 << 20; // 6,144 pages: a large activation of a training batch
            touch_and_free(bytes);
            let before = page_faults_here();
            touch_and_free(bytes);
            let faults = page_faults_here() - before;
            // Before this setting the second block was a fresh mapping: one fault per page.
            assert!(
                faults < 200,
                "{faults} page faults writing a reused 24 MiB block"
            );
        })
        .join()
        .unwrap();
    }
}
