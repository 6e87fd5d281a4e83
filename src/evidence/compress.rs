//! Compression for packs. gzip is written as a series of independent gzip members (RFC 1952
//! allows any number; gzip, pigz, zcat, Python and Go read them as one stream), each over a
//! fixed-size chunk compressed on its own core, so packing runs at pigz speed while the bytes
//! stay the same on every machine (they depend on the chunk size, not the core count). zstd
//! uses the library's multi-threaded mode, whose output depends on the job size and not on the
//! number of workers (as long as there is at least one), so it uses every core.

use flate2::Compression;
use std::io::{self, Write};

/// Uncompressed bytes per gzip member.
pub const GZIP_CHUNK: usize = 1 << 20;
/// Chunks compressed per parallel batch (bounds memory: batch x chunk in and out).
const BATCH: usize = 16;
/// zstd workers: one per core (at least one, so the multi-threaded frame layout is always used).
fn zstd_workers() -> u32 {
    std::thread::available_parallelism()
        .map(|n| n.get() as u32)
        .unwrap_or(1)
        .clamp(1, 16)
}

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
pub enum Compressor<W: Write + Send + 'static> {
    Gzip(ParallelGzip<Hashing<W>>),
    Zstd(zstd::stream::write::Encoder<'static, Hashing<W>>),
}

/// Passes bytes through and hashes them: the digest of the whole pack as written (so it need
/// not be read back), and for zstd the digest trailer.
///
/// Hashing and writing run on their own thread, fed 1 MiB chunks through a short queue. On
/// incompressible data the compressors are fast and the thread that feeds them would
/// otherwise spend as long hashing and writing their output as it does reading the input.
pub struct Hashing<W: Write + Send + 'static> {
    chunk: Vec<u8>,
    tx: Option<std::sync::mpsc::SyncSender<SinkMsg>>,
    /// Chunks the writer thread is done with, reused so the steady state allocates nothing.
    spare: std::sync::mpsc::Receiver<Vec<u8>>,
    worker: Option<std::thread::JoinHandle<io::Result<(W, sha2::Sha256)>>>,
    /// Bytes written so far.
    written: u64,
}

enum SinkMsg {
    Data(Vec<u8>),
    /// Reply with the digest of everything sent so far.
    Digest(std::sync::mpsc::SyncSender<[u8; 32]>),
}

/// Bytes per chunk handed to the writer thread, and chunks queued (bounds memory).
const SINK_CHUNK: usize = 1 << 20;
const SINK_QUEUE: usize = 8;

impl<W: Write + Send + 'static> Hashing<W> {
    pub fn new(inner: W) -> io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<SinkMsg>(SINK_QUEUE);
        let (spare_tx, spare) = std::sync::mpsc::sync_channel::<Vec<u8>>(SINK_QUEUE);
        let worker = std::thread::Builder::new()
            .name("pack-writer".into())
            .spawn(move || {
                let mut inner = inner;
                let mut hasher: sha2::Sha256 = sha2::Digest::new();
                for msg in rx {
                    match msg {
                        SinkMsg::Data(mut chunk) => {
                            sha2::Digest::update(&mut hasher, &chunk);
                            // On error the thread ends: the sender sees the queue closed
                            // and collects this error from the join.
                            inner.write_all(&chunk)?;
                            chunk.clear();
                            let _ = spare_tx.try_send(chunk);
                        }
                        SinkMsg::Digest(reply) => {
                            let _ = reply.send(sha2::Digest::finalize(hasher.clone()).into());
                        }
                    }
                }
                inner.flush()?;
                Ok((inner, hasher))
            })?;
        Ok(Hashing {
            chunk: Vec::with_capacity(SINK_CHUNK),
            tx: Some(tx),
            spare,
            worker: Some(worker),
            written: 0,
        })
    }

    /// The writer thread's error, once it has stopped.
    fn worker_error(&mut self) -> io::Error {
        self.tx.take();
        match self.worker.take().map(|w| w.join()) {
            Some(Ok(Err(e))) => e,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            _ => io::Error::other("the pack writer stopped"),
        }
    }

    fn send(&mut self, msg: SinkMsg) -> io::Result<()> {
        let sent = match &self.tx {
            Some(tx) => tx.send(msg).is_ok(),
            None => false,
        };
        if sent {
            Ok(())
        } else {
            Err(self.worker_error())
        }
    }

    fn send_chunk(&mut self) -> io::Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let next = self
            .spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(SINK_CHUNK));
        let full = std::mem::replace(&mut self.chunk, next);
        self.send(SinkMsg::Data(full))
    }

    /// SHA-256 of every byte written so far.
    pub fn digest_so_far(&mut self) -> io::Result<[u8; 32]> {
        self.send_chunk()?;
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        self.send(SinkMsg::Digest(reply))?;
        answer.recv().map_err(|_| self.worker_error())
    }

    /// Write out everything; the inner writer and the hasher over all bytes written.
    pub fn finish(mut self) -> io::Result<(W, sha2::Sha256)> {
        self.send_chunk()?;
        self.tx.take();
        match self.worker.take().map(|w| w.join()) {
            Some(Ok(done)) => done,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Err(io::Error::other("the pack writer stopped")),
        }
    }
}

impl<W: Write + Send + 'static> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = (SINK_CHUNK - self.chunk.len()).min(buf.len());
        self.chunk.extend_from_slice(&buf[..n]);
        self.written += n as u64;
        if self.chunk.len() == SINK_CHUNK {
            self.send_chunk()?;
        }
        Ok(n)
    }
    /// Bytes reach the inner writer in the background; `finish` waits for them.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write + Send + 'static> Drop for Hashing<W> {
    fn drop(&mut self) {
        // Abandoned (an error elsewhere): stop the thread; what it wrote is discarded with
        // the temporary file.
        self.tx.take();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

/// Magic of the skippable frame that ends every zstd pack: SHA-256 of everything before it.
/// zstd's own checksum covers only the decompressed content, not every compressed bit.
pub const ZSTD_DIGEST_MAGIC: u32 = 0x184D_2A5E;
/// Bytes of that trailer: magic, length (32), digest.
pub const ZSTD_TRAILER: usize = 40;

impl<W: Write + Send + 'static> Compressor<W> {
    pub fn new(codec: Codec, inner: W) -> io::Result<Self> {
        Self::with_workers(codec, inner, zstd_workers())
    }

    fn with_workers(codec: Codec, inner: W, workers: u32) -> io::Result<Self> {
        let inner = Hashing::new(inner)?;
        Ok(match codec {
            Codec::Gzip => Compressor::Gzip(ParallelGzip::new(inner)),
            Codec::Zstd => {
                let mut e = zstd::stream::write::Encoder::new(inner, 3)?;
                e.multithread(workers)?;
                e.include_checksum(true)?;
                Compressor::Zstd(e)
            }
        })
    }

    pub fn finish(self) -> io::Result<W> {
        Ok(self.finish_with_digest()?.0)
    }

    /// Finish the stream; also returns the SHA-256 and the number of the bytes written to
    /// `inner`.
    pub fn finish_with_digest(self) -> io::Result<(W, [u8; 32], u64)> {
        let hashing = match self {
            Compressor::Gzip(g) => g.finish()?,
            Compressor::Zstd(z) => {
                let mut hashing = z.finish()?;
                // The trailer holds the digest of everything before it.
                let digest = hashing.digest_so_far()?;
                hashing.write_all(&ZSTD_DIGEST_MAGIC.to_le_bytes())?;
                hashing.write_all(&32u32.to_le_bytes())?;
                hashing.write_all(&digest)?;
                hashing
            }
        };
        let written = hashing.written;
        let (inner, hasher) = hashing.finish()?;
        Ok((inner, sha2::Digest::finalize(hasher).into(), written))
    }
}

impl<W: Write + Send + 'static> Write for Compressor<W> {
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
    /// Members being compressed on the rayon pool, in order; the reader keeps filling the
    /// next chunk meanwhile (no batch barrier, as pigz).
    in_flight: std::collections::VecDeque<std::sync::mpsc::Receiver<io::Result<Vec<u8>>>>,
    current: Vec<u8>,
    chunks: u64,
}

/// Fixed part of every member header: magic, deflate, FLG.FEXTRA, mtime 0, XFL 0, OS 255,
/// XLEN 36, then one extra subfield `TG` of 32 bytes: the SHA-256 of the member's compressed
/// data and trailer. Deflate has bits no decoder reads (block padding), so the CRC-32 of the
/// decompressed bytes cannot notice every change to a pack; this digest can.
pub const MEMBER_HEADER: [u8; 16] = [
    0x1f, 0x8b, 8, 0x04, 0, 0, 0, 0, 0, 255, 36, 0, b'T', b'G', 32, 0,
];

/// Whether a chunk looks incompressible (already compressed or encrypted data: container
/// image layers, archives, PDFs with compressed streams). Deflate spends most of its time on
/// such data and gains nothing, so those chunks are stored. The test reads an evenly spaced
/// sample and depends only on the bytes, so the pack stays reproducible.
fn looks_incompressible(chunk: &[u8]) -> bool {
    const PIECE: usize = 4096;
    const PIECES: usize = 16;
    if chunk.len() < PIECE * PIECES {
        return false;
    }
    let mut counts = [0u32; 256];
    let stride = chunk.len() / PIECES;
    for p in 0..PIECES {
        for &b in &chunk[p * stride..p * stride + PIECE] {
            counts[b as usize] += 1;
        }
    }
    let total = (PIECE * PIECES) as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / total;
            -p * p.log2()
        })
        .sum();
    // Uniform bytes measure ~7.997 bits on this sample size; text and binaries stay far below.
    entropy > 7.99
}

fn gzip_member(chunk: &[u8]) -> io::Result<Vec<u8>> {
    use sha2::Digest as _;
    let level = if looks_incompressible(chunk) {
        Compression::none()
    } else {
        Compression::new(6)
    };
    let mut enc =
        flate2::write::DeflateEncoder::new(Vec::with_capacity(chunk.len() / 2 + 64), level);
    enc.write_all(chunk)?;
    let mut body = enc.finish()?;
    let mut crc = flate2::Crc::new();
    crc.update(chunk);
    body.extend_from_slice(&crc.sum().to_le_bytes());
    body.extend_from_slice(&crc.amount().to_le_bytes());
    let digest = sha2::Sha256::digest(&body);
    let mut out = Vec::with_capacity(MEMBER_HEADER.len() + 32 + body.len());
    out.extend_from_slice(&MEMBER_HEADER);
    out.extend_from_slice(&digest);
    out.extend_from_slice(&body);
    Ok(out)
}

impl<W: Write> ParallelGzip<W> {
    pub fn new(inner: W) -> Self {
        ParallelGzip {
            inner,
            in_flight: std::collections::VecDeque::new(),
            current: Vec::with_capacity(GZIP_CHUNK),
            chunks: 0,
        }
    }

    fn write_oldest(&mut self) -> io::Result<()> {
        if let Some(rx) = self.in_flight.pop_front() {
            let member = rx
                .recv()
                .map_err(|_| io::Error::other("a compression worker stopped"))??;
            self.inner.write_all(&member)?;
        }
        Ok(())
    }

    fn submit(&mut self, chunk: Vec<u8>) -> io::Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        rayon::spawn(move || {
            let _ = tx.send(gzip_member(&chunk));
        });
        self.in_flight.push_back(rx);
        self.chunks += 1;
        // Bounded memory: at most BATCH chunks (in and out) in flight.
        while self.in_flight.len() > BATCH {
            self.write_oldest()?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<W> {
        if !self.current.is_empty() || self.chunks == 0 {
            let last = std::mem::take(&mut self.current);
            self.submit(last)?;
        }
        while !self.in_flight.is_empty() {
            self.write_oldest()?;
        }
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
            self.submit(full)?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A strict multi-member gzip reader for packs: every member header must be exactly
/// [`MEMBER_HEADER`] plus its digest (gzip headers are not covered by any checksum), every
/// member's compressed bytes must have that digest, and its CRC-32 and length must match.
pub struct StrictGzReader<R: io::BufRead> {
    inner: R,
    decomp: flate2::Decompress,
    crc: flate2::Crc,
    in_member: bool,
    members: u64,
    offset: u64,
    digest: [u8; 32],
    hasher: sha2::Sha256,
}

impl<R: io::BufRead> StrictGzReader<R> {
    pub fn new(inner: R) -> Self {
        StrictGzReader {
            inner,
            decomp: flate2::Decompress::new(false),
            crc: flate2::Crc::new(),
            in_member: false,
            members: 0,
            offset: 0,
            digest: [0; 32],
            hasher: sha2::Digest::new(),
        }
    }

    fn read_exact_counted(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.inner.read_exact(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("gzip stream truncated at byte {}", self.offset),
                )
            } else {
                e
            }
        })?;
        self.offset += buf.len() as u64;
        Ok(())
    }
}

fn bad(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

impl<R: io::BufRead> io::Read for StrictGzReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_member {
                if self.inner.fill_buf()?.is_empty() {
                    if self.members == 0 {
                        return Err(bad("empty gzip stream".into()));
                    }
                    return Ok(0);
                }
                let mut h = [0u8; 16];
                let at = self.offset;
                let mut got = 0;
                while got < h.len() {
                    match self.inner.read(&mut h[got..])? {
                        0 => break,
                        n => got += n,
                    }
                }
                self.offset += got as u64;
                if h != MEMBER_HEADER && self.members > 0 {
                    // After a complete member: bytes someone appended, or a cut-off header.
                    return Err(bad(format!(
                        "unexpected data after the gzip member that ends at byte {at}: something was appended to the pack, or it was cut inside the next member's header"
                    )));
                }
                if got < h.len() {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("gzip stream truncated at byte {}", self.offset),
                    ));
                }
                if h != MEMBER_HEADER {
                    return Err(bad(format!(
                        "gzip member at byte {at} has a header tollgate never writes ({h:02x?})"
                    )));
                }
                let mut digest = [0u8; 32];
                self.read_exact_counted(&mut digest)?;
                self.digest = digest;
                self.hasher = sha2::Digest::new();
                self.decomp.reset(false);
                self.crc.reset();
                self.in_member = true;
            }
            let input = self.inner.fill_buf()?;
            if input.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("gzip stream truncated at byte {}", self.offset),
                ));
            }
            let (before_in, before_out) = (self.decomp.total_in(), self.decomp.total_out());
            let status = self
                .decomp
                .decompress(input, buf, flate2::FlushDecompress::None)
                .map_err(|e| {
                    bad(format!(
                        "corrupt deflate data near byte {}: {e}",
                        self.offset
                    ))
                })?;
            let consumed = (self.decomp.total_in() - before_in) as usize;
            let produced = (self.decomp.total_out() - before_out) as usize;
            sha2::Digest::update(&mut self.hasher, &input[..consumed]);
            self.inner.consume(consumed);
            self.offset += consumed as u64;
            self.crc.update(&buf[..produced]);
            if status == flate2::Status::StreamEnd {
                let mut t = [0u8; 8];
                self.read_exact_counted(&mut t)?;
                sha2::Digest::update(&mut self.hasher, t);
                let got: [u8; 32] = sha2::Digest::finalize(std::mem::take(&mut self.hasher)).into();
                if got != self.digest {
                    return Err(bad(format!(
                        "gzip member ending at byte {} does not match its digest (the compressed bytes were changed)",
                        self.offset
                    )));
                }
                let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
                let len = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
                if crc != self.crc.sum() || len != self.crc.amount() {
                    return Err(bad(format!(
                        "gzip member ending at byte {} fails its CRC-32 or length check",
                        self.offset
                    )));
                }
                self.in_member = false;
                self.members += 1;
            }
            if produced > 0 {
                return Ok(produced);
            }
            if consumed == 0 && status != flate2::Status::StreamEnd {
                return Err(bad(format!(
                    "corrupt deflate data near byte {}",
                    self.offset
                )));
            }
        }
    }
}

/// The first bytes (magic, frame header descriptor, window descriptor) of every zstd pack
/// tollgate writes: the frame header is not covered by the content checksum, so verification
/// requires exactly these.
pub fn zstd_frame_header() -> &'static [u8] {
    static HEADER: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    HEADER.get_or_init(|| {
        let mut c = Compressor::new(Codec::Zstd, Vec::new()).expect("zstd encoder");
        let _ = c.write_all(b"tollgate");
        let out = c.finish().expect("zstd encoder");
        out[..6].to_vec()
    })
}

/// Whether a zstd pack ends with the digest trailer tollgate writes and the digest matches.
pub fn zstd_digest_ok<R: io::Read>(mut r: R) -> io::Result<bool> {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    // Hold back the last ZSTD_TRAILER bytes: they are the trailer, not hashed.
    let mut held: Vec<u8> = Vec::with_capacity(ZSTD_TRAILER + (1 << 20));
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        held.extend_from_slice(&buf[..n]);
        if held.len() > ZSTD_TRAILER {
            let cut = held.len() - ZSTD_TRAILER;
            h.update(&held[..cut]);
            held.drain(..cut);
        }
    }
    if held.len() != ZSTD_TRAILER
        || held[..4] != ZSTD_DIGEST_MAGIC.to_le_bytes()
        || held[4..8] != 32u32.to_le_bytes()
    {
        return Ok(false);
    }
    Ok(h.finalize()[..] == held[8..])
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
        // Header: no mtime, no name; FEXTRA with the member digest.
        assert_eq!(&a[4..8], &[0, 0, 0, 0]);
        assert_eq!(a[3], 0x04);
        // Empty input is still a valid gzip stream.
        let e = pack(&[]);
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&e[..])
            .read_to_end(&mut out)
            .unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn incompressible_chunks_are_stored_and_text_is_compressed() {
        // A xorshift stream stands in for compressed or encrypted data.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let random: Vec<u8> = (0..GZIP_CHUNK)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        assert!(looks_incompressible(&random));
        let text: Vec<u8> = br#"{"name":"component","version":"1.2.3","licenses":["MIT"]}"#
            .iter()
            .copied()
            .cycle()
            .take(GZIP_CHUNK)
            .collect();
        assert!(!looks_incompressible(&text));
        let stored = gzip_member(&random).unwrap();
        // Stored deflate: the payload plus a few bytes of block headers per 64 KiB.
        assert!(
            stored.len() < random.len() + 400,
            "{} bytes stored",
            stored.len() - random.len()
        );
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&stored[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, random);
        assert!(gzip_member(&text).unwrap().len() < text.len() / 50);
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
        assert!(zstd_digest_ok(&a[..]).unwrap());
        let mut b = a.clone();
        b[a.len() / 2] ^= 1;
        assert!(!zstd_digest_ok(&b[..]).unwrap());
    }

    #[test]
    fn zstd_bytes_do_not_depend_on_the_worker_count() {
        let data: Vec<u8> = (0..(20 << 20)).map(|i| ((i * 31) % 253) as u8).collect();
        let pack = |workers| {
            let mut c = Compressor::with_workers(Codec::Zstd, Vec::new(), workers).unwrap();
            c.write_all(&data).unwrap();
            c.finish_with_digest().unwrap()
        };
        let one = pack(1);
        assert_eq!(one, pack(2));
        assert_eq!(one, pack(7));
        // The returned digest is that of the bytes written.
        use sha2::Digest as _;
        assert_eq!(one.1[..], sha2::Sha256::digest(&one.0)[..]);
        assert_eq!(one.2, one.0.len() as u64);
    }

    /// A writer that fails once it has taken `limit` bytes (a full disk).
    struct FailsAfter {
        limit: usize,
        taken: usize,
    }

    impl Write for FailsAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.taken + buf.len() > self.limit {
                return Err(io::Error::other("no space left on device"));
            }
            self.taken += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_writer_fails_the_pack_instead_of_being_ignored() {
        // Incompressible data, so the compressed stream outgrows the writer's limit.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let data: Vec<u8> = (0..(12 << 20))
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 32) as u8
            })
            .collect();
        for codec in [Codec::Gzip, Codec::Zstd] {
            let sink = FailsAfter {
                limit: 3 << 20,
                taken: 0,
            };
            let mut c = Compressor::new(codec, sink).unwrap();
            let wrote = c.write_all(&data);
            let finished = wrote.and_then(|()| c.finish().map(|_| ()));
            let err = finished.expect_err("the write error must surface");
            assert!(
                err.to_string().contains("no space left"),
                "{codec:?}: {err}"
            );
        }
    }
}
