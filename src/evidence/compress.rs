//! Compression for packs. gzip is written as a series of independent gzip members (RFC 1952
//! allows any number; gzip, pigz, zcat, Python and Go read them as one stream), each over a
//! fixed-size chunk compressed on its own core, so packing runs at pigz speed while the bytes
//! stay the same on every machine (they depend on the chunk size, not the core count). zstd
//! uses the library's multi-threaded mode with a fixed worker count, for the same reason.

use flate2::Compression;
use rayon::prelude::*;
use std::io::{self, Write};

/// Uncompressed bytes per gzip member.
pub const GZIP_CHUNK: usize = 1 << 20;
/// Chunks compressed per parallel batch (bounds memory: batch x chunk in and out).
const BATCH: usize = 16;
/// zstd workers, fixed so the output does not depend on the machine.
const ZSTD_WORKERS: u32 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Gzip,
    Zstd,
}

impl Codec {
    pub fn extension(self) -> &'static str {
        match self {
            Codec::Gzip => "tgz",
            Codec::Zstd => "tar.zst",
        }
    }
}

/// A writer that compresses into `inner`.
pub enum Compressor<W: Write> {
    Gzip(ParallelGzip<W>),
    Zstd(zstd::stream::write::Encoder<'static, W>),
}

impl<W: Write> Compressor<W> {
    pub fn new(codec: Codec, inner: W) -> io::Result<Self> {
        Ok(match codec {
            Codec::Gzip => Compressor::Gzip(ParallelGzip::new(inner)),
            Codec::Zstd => {
                let mut e = zstd::stream::write::Encoder::new(inner, 3)?;
                e.multithread(ZSTD_WORKERS)?;
                e.include_checksum(true)?;
                Compressor::Zstd(e)
            }
        })
    }

    pub fn finish(self) -> io::Result<W> {
        match self {
            Compressor::Gzip(g) => g.finish(),
            Compressor::Zstd(z) => z.finish(),
        }
    }
}

impl<W: Write> Write for Compressor<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Compressor::Gzip(g) => g.write(buf),
            Compressor::Zstd(z) => z.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Compressor::Gzip(g) => g.flush(),
            Compressor::Zstd(z) => z.flush(),
        }
    }
}

pub struct ParallelGzip<W: Write> {
    inner: W,
    pending: Vec<Vec<u8>>,
    current: Vec<u8>,
}

fn gzip_member(chunk: &[u8]) -> io::Result<Vec<u8>> {
    // No file name, mtime 0, OS "unknown": the header carries nothing about the machine.
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(
            Vec::with_capacity(chunk.len() / 2 + 64),
            Compression::new(6),
        );
    enc.write_all(chunk)?;
    enc.finish()
}

impl<W: Write> ParallelGzip<W> {
    pub fn new(inner: W) -> Self {
        ParallelGzip {
            inner,
            pending: Vec::new(),
            current: Vec::with_capacity(GZIP_CHUNK),
        }
    }

    fn drain(&mut self) -> io::Result<()> {
        let members: Vec<io::Result<Vec<u8>>> =
            self.pending.par_iter().map(|c| gzip_member(c)).collect();
        for m in members {
            self.inner.write_all(&m?)?;
        }
        self.pending.clear();
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<W> {
        if !self.current.is_empty() || self.pending.is_empty() {
            let last = std::mem::take(&mut self.current);
            self.pending.push(last);
        }
        self.drain()?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for ParallelGzip<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = GZIP_CHUNK - self.current.len();
        let n = room.min(buf.len());
        self.current.extend_from_slice(&buf[..n]);
        if self.current.len() == GZIP_CHUNK {
            let full = std::mem::replace(&mut self.current, Vec::with_capacity(GZIP_CHUNK));
            self.pending.push(full);
            if self.pending.len() >= BATCH {
                self.drain()?;
            }
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Which codec a pack uses, from its first bytes.
pub fn sniff(head: &[u8]) -> Option<Codec> {
    if head.starts_with(&[0x1f, 0x8b]) {
        Some(Codec::Gzip)
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(Codec::Zstd)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn multi_member_gzip_round_trips_and_is_deterministic() {
        let data: Vec<u8> = (0..(3 * GZIP_CHUNK + 123))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let pack = |d: &[u8]| {
            let mut c = Compressor::new(Codec::Gzip, Vec::new()).unwrap();
            c.write_all(d).unwrap();
            c.finish().unwrap()
        };
        let a = pack(&data);
        assert_eq!(a, pack(&data));
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&a[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, data);
        // Header: no mtime, no name.
        assert_eq!(&a[4..8], &[0, 0, 0, 0]);
        assert_eq!(a[3] & 0x08, 0);
        // Empty input is still a valid gzip stream.
        let e = pack(&[]);
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&e[..])
            .read_to_end(&mut out)
            .unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn zstd_round_trips_and_is_deterministic() {
        let data: Vec<u8> = (0..(2 << 20)).map(|i| (i % 13) as u8).collect();
        let pack = || {
            let mut c = Compressor::new(Codec::Zstd, Vec::new()).unwrap();
            c.write_all(&data).unwrap();
            c.finish().unwrap()
        };
        let a = pack();
        assert_eq!(a, pack());
        assert_eq!(zstd::decode_all(&a[..]).unwrap(), data);
    }
}
