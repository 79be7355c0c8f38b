//! The document store on disk: each file is named by the SM3 hash of its content
//! (`<dir>/<first two hex digits>/<hash>`), written once through a temporary file and a rename,
//! so a crash never leaves a half-written document under a real name, and identical uploads
//! share one file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sm3::{Digest, Sm3};

/// A directory of content-addressed files.
#[derive(Debug, Clone)]
pub struct Blobs {
    dir: PathBuf,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SM3 hash of some bytes, as 64 lowercase hex digits.
pub fn content_hash(bytes: &[u8]) -> String {
    hex(&Sm3::digest(bytes))
}

impl Blobs {
    /// Uses (and creates when missing) `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> std::io::Result<Blobs> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(Blobs { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, hash: &str) -> Option<PathBuf> {
        (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| self.dir.join(&hash[..2]).join(hash))
    }

    /// Stores the bytes (unless already present) and returns their hash.
    pub async fn put(&self, bytes: Vec<u8>) -> std::io::Result<String> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let hash = content_hash(&bytes);
            let path = this.path_of(&hash).expect("a computed hash is valid");
            if path.exists() {
                return Ok(hash);
            }
            let parent = path.parent().expect("hash files live in a subdirectory");
            std::fs::create_dir_all(parent)?;
            // One temporary name per write, not per process: two requests storing the same
            // bytes at once must not share (and rename away) each other's temporary file.
            static NEXT: AtomicU64 = AtomicU64::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let tmp = parent.join(format!(".{hash}.{}.{n}.tmp", std::process::id()));
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            Ok(hash)
        })
        .await
        .map_err(std::io::Error::other)?
    }

    /// The bytes stored under `hash`, checked against it (a damaged file is an error, not a
    /// silently wrong document).
    pub async fn get(&self, hash: &str) -> std::io::Result<Vec<u8>> {
        let path = self
            .path_of(hash)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad hash"))?;
        let want = hash.to_string();
        tokio::task::spawn_blocking(move || {
            let bytes = std::fs::read(&path)?;
            if content_hash(&bytes) != want {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{} does not match its hash", path.display()),
                ));
            }
            Ok(bytes)
        })
        .await
        .map_err(std::io::Error::other)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_once_by_content_and_checks_on_read() {
        let dir = tempfile::tempdir().unwrap();
        let b = Blobs::open(dir.path().join("docs")).unwrap();
        let h1 = b.put(b"%PDF-1.4 a".to_vec()).await.unwrap();
        let h2 = b.put(b"%PDF-1.4 a".to_vec()).await.unwrap();
        assert_eq!(h1, h2);
        assert_eq!(h1.len(), 64);
        assert_eq!(b.get(&h1).await.unwrap(), b"%PDF-1.4 a");
        let files: Vec<_> = std::fs::read_dir(dir.path().join("docs").join(&h1[..2]))
            .unwrap()
            .collect();
        assert_eq!(files.len(), 1, "no temporary files left behind");
        std::fs::write(
            dir.path().join("docs").join(&h1[..2]).join(&h1),
            b"tampered",
        )
        .unwrap();
        assert!(b.get(&h1).await.is_err());
        assert!(b.get("../../etc/passwd").await.is_err());
    }

    /// Regression: two uploads of the same bytes at the same moment (two users, or two tests
    /// in one process) shared one temporary file, and the second rename failed with a 500.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_puts_of_the_same_bytes_both_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let b = Blobs::open(dir.path().join("docs")).unwrap();
        for round in 0..50u32 {
            let bytes = format!("same content {round}").into_bytes();
            let puts: Vec<_> = (0..8)
                .map(|_| {
                    let b = b.clone();
                    let bytes = bytes.clone();
                    tokio::spawn(async move { b.put(bytes).await })
                })
                .collect();
            for p in puts {
                let hash = p.await.unwrap().expect("every concurrent put succeeds");
                assert_eq!(b.get(&hash).await.unwrap(), bytes);
            }
        }
    }
}
