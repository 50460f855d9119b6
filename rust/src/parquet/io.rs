//! The seam between the writers and the operating system: every file-system call the Parquet
//! writer and the sink make goes through [`Storage`] and [`OutputFile`], so tests can fail
//! exactly the Nth write, sync or rename, or keep a disk full across every new file
//! (`FaultyStorage`), and the production build uses [`OsStorage`] with no indirection beyond a
//! virtual call per buffered write.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

/// A file being written. `Write` receives buffered chunks (the writer buffers 1 MiB).
pub trait OutputFile: Write + Send {
    /// `fdatasync`: the data written so far survives a power cut.
    fn sync_data(&mut self) -> io::Result<()>;
    /// Cuts the file to `len` bytes and continues writing there.
    fn truncate(&mut self, len: u64) -> io::Result<()>;
    /// Takes an exclusive advisory lock (`flock(LOCK_EX | LOCK_NB)`), held until the file is
    /// closed; false if another open file description holds one.
    fn try_lock(&mut self) -> io::Result<bool>;
}

/// The file-system operations the writers use.
pub trait Storage: Send + Sync + fmt::Debug {
    /// Creates `path`, failing with `AlreadyExists` if anything is there (`O_EXCL`).
    fn create_new(&self, path: &Path) -> io::Result<Box<dyn OutputFile>>;
    /// Creates or truncates `path` (the standalone `Writer`, whose caller names the file).
    fn create(&self, path: &Path) -> io::Result<Box<dyn OutputFile>>;
    /// Renames `from` to `to`, failing with `AlreadyExists` rather than replacing `to`.
    fn rename_noreplace(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Makes the directory's entries (created, renamed files) survive a power cut.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
}

/// The real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsStorage;

/// The process-wide real file system, as a shareable handle.
pub fn os_storage() -> Arc<dyn Storage> {
    Arc::new(OsStorage)
}

struct OsFile(File);

impl Write for OsFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl OutputFile for OsFile {
    fn sync_data(&mut self) -> io::Result<()> {
        self.0.sync_data()
    }
    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.0.set_len(len)?;
        self.0.seek(SeekFrom::Start(len))?;
        Ok(())
    }
    fn try_lock(&mut self) -> io::Result<bool> {
        try_lock_file(&self.0)
    }
}

/// `flock(LOCK_EX | LOCK_NB)` on `file`: Ok(false) when another holder has it.
pub fn try_lock_file(file: &File) -> io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on a descriptor this `File` owns; no memory is passed.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

impl Storage for OsStorage {
    fn create_new(&self, path: &Path) -> io::Result<Box<dyn OutputFile>> {
        let file = OpenOptions::new().write(true).create_new(true).open(path)?;
        Ok(Box::new(OsFile(file)))
    }

    fn create(&self, path: &Path) -> io::Result<Box<dyn OutputFile>> {
        Ok(Box::new(OsFile(File::create(path)?)))
    }

    fn rename_noreplace(&self, from: &Path, to: &Path) -> io::Result<()> {
        rename_noreplace(from, to)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }
}

/// `renameat2(RENAME_NOREPLACE)`; where the file system does not support it, `link` then
/// `unlink`, which also refuses an existing target.
pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))
    };
    let (cfrom, cto) = (c(from)?, c(to)?);
    #[cfg(target_os = "linux")]
    {
        // SAFETY: two valid NUL-terminated paths, relative to the current directory.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                cfrom.as_ptr(),
                libc::AT_FDCWD,
                cto.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            return Err(e);
        }
    }
    std::fs::hard_link(from, to)?;
    std::fs::remove_file(from)
}

/// Fault injection for tests: wraps the real file system and fails chosen calls. Counts are
/// 1-based and span every file the storage created, so "the 3rd sync" means the 3rd `fdatasync`
/// of the whole run. `disk_full_after(n)` lets `n` more bytes through, then fails every write
/// with ENOSPC, on every file, until `free_disk()`: a disk that stays full across retries.
#[derive(Debug, Default)]
pub struct FaultyStorage {
    faults: Arc<Faults>,
}

#[derive(Debug, Default)]
struct Faults {
    writes: std::sync::atomic::AtomicU64,
    syncs: std::sync::atomic::AtomicU64,
    renames: std::sync::atomic::AtomicU64,
    creates: std::sync::atomic::AtomicU64,
    dir_syncs: std::sync::atomic::AtomicU64,
    fail_write: std::sync::atomic::AtomicU64,
    fail_sync: std::sync::atomic::AtomicU64,
    fail_rename: std::sync::atomic::AtomicU64,
    fail_create: std::sync::atomic::AtomicU64,
    /// Bytes still allowed before the disk is full; u64::MAX: no limit.
    space: std::sync::atomic::AtomicU64,
}

fn enospc() -> io::Error {
    io::Error::from_raw_os_error(libc::ENOSPC)
}

fn eio() -> io::Error {
    io::Error::from_raw_os_error(libc::EIO)
}

impl Faults {
    /// Counts one call; true if it is the one chosen to fail.
    fn hit(count: &std::sync::atomic::AtomicU64, fail_at: &std::sync::atomic::AtomicU64) -> bool {
        use std::sync::atomic::Ordering::SeqCst;
        let n = count.fetch_add(1, SeqCst) + 1;
        fail_at.load(SeqCst) == n
    }
}

impl FaultyStorage {
    pub fn new() -> Arc<FaultyStorage> {
        let faults = Faults::default();
        faults
            .space
            .store(u64::MAX, std::sync::atomic::Ordering::SeqCst);
        Arc::new(FaultyStorage {
            faults: Arc::new(faults),
        })
    }
    /// Fails the `n`th write from now on (counting from the start of the run: see `writes()`).
    pub fn fail_write_at(&self, n: u64) {
        self.faults
            .fail_write
            .store(n, std::sync::atomic::Ordering::SeqCst);
    }
    pub fn fail_sync_at(&self, n: u64) {
        self.faults
            .fail_sync
            .store(n, std::sync::atomic::Ordering::SeqCst);
    }
    pub fn fail_rename_at(&self, n: u64) {
        self.faults
            .fail_rename
            .store(n, std::sync::atomic::Ordering::SeqCst);
    }
    pub fn fail_create_at(&self, n: u64) {
        self.faults
            .fail_create
            .store(n, std::sync::atomic::Ordering::SeqCst);
    }
    pub fn disk_full_after(&self, bytes: u64) {
        self.faults
            .space
            .store(bytes, std::sync::atomic::Ordering::SeqCst);
    }
    pub fn free_disk(&self) {
        self.faults
            .space
            .store(u64::MAX, std::sync::atomic::Ordering::SeqCst);
    }
    pub fn writes(&self) -> u64 {
        self.faults.writes.load(std::sync::atomic::Ordering::SeqCst)
    }
    pub fn syncs(&self) -> u64 {
        self.faults.syncs.load(std::sync::atomic::Ordering::SeqCst)
    }
    pub fn renames(&self) -> u64 {
        self.faults
            .renames
            .load(std::sync::atomic::Ordering::SeqCst)
    }
    pub fn dir_syncs(&self) -> u64 {
        self.faults
            .dir_syncs
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}

struct FaultyFile {
    inner: Box<dyn OutputFile>,
    faults: Arc<Faults>,
}

impl Write for FaultyFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        use std::sync::atomic::Ordering::SeqCst;
        if Faults::hit(&self.faults.writes, &self.faults.fail_write) {
            return Err(eio());
        }
        let space = self.faults.space.load(SeqCst);
        if space != u64::MAX {
            if space == 0 {
                return Err(enospc());
            }
            // A short write up to the space left, as a full disk does; the retry then fails.
            let n = buf.len().min(usize::try_from(space).unwrap_or(usize::MAX));
            let written = self.inner.write(&buf[..n])?;
            self.faults.space.fetch_sub(written as u64, SeqCst);
            return Ok(written);
        }
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl OutputFile for FaultyFile {
    fn sync_data(&mut self) -> io::Result<()> {
        if Faults::hit(&self.faults.syncs, &self.faults.fail_sync) {
            return Err(eio());
        }
        self.inner.sync_data()
    }
    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.inner.truncate(len)
    }
    fn try_lock(&mut self) -> io::Result<bool> {
        self.inner.try_lock()
    }
}

impl FaultyStorage {
    /// Counts a create (failing the chosen one) and wraps the real file `open` makes.
    fn faulty_file(
        &self,
        open: impl FnOnce() -> io::Result<Box<dyn OutputFile>>,
    ) -> io::Result<Box<dyn OutputFile>> {
        if Faults::hit(&self.faults.creates, &self.faults.fail_create) {
            return Err(eio());
        }
        Ok(Box::new(FaultyFile {
            inner: open()?,
            faults: self.faults.clone(),
        }))
    }
}

impl Storage for FaultyStorage {
    fn create_new(&self, path: &Path) -> io::Result<Box<dyn OutputFile>> {
        self.faulty_file(|| OsStorage.create_new(path))
    }
    fn create(&self, path: &Path) -> io::Result<Box<dyn OutputFile>> {
        self.faulty_file(|| OsStorage.create(path))
    }
    fn rename_noreplace(&self, from: &Path, to: &Path) -> io::Result<()> {
        if Faults::hit(&self.faults.renames, &self.faults.fail_rename) {
            return Err(eio());
        }
        OsStorage.rename_noreplace(from, to)
    }
    fn remove_file(&self, path: &Path) -> io::Result<()> {
        OsStorage.remove_file(path)
    }
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        OsStorage.create_dir_all(dir)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        self.faults
            .dir_syncs
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        OsStorage.sync_dir(dir)
    }
}
