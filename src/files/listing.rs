//! FILES: the sorted list of a repository's paths, stored front-coded: each path as the length
//! it shares with the one before and the rest of it, every [`BLOCK`]th path whole. Paths of one
//! folder share everything but their names, so a million paths take about what their names
//! take, instead of a `String` each.
//!
//! [`PathList`] is what the stages that go through every path take: a `Paths`, or a slice of
//! paths (tests, in-memory repositories).

/// Every how many paths one is stored whole, where a lookup starts decoding.
const BLOCK: usize = 64;

/// Sorted, unique, repository-relative paths.
#[derive(Debug, Default)]
pub(crate) struct Paths {
    /// Per path: the length it shares with the path before and the length of the rest
    /// (LEB128).
    lengths: Vec<u8>,
    /// The rest of every path, back to back: each cut from a `&str` at a shared prefix that
    /// ends on a character boundary, so it is UTF-8 and read without checking again.
    text: String,
    /// Where each block of [`BLOCK`] paths starts in `lengths` and in `text`.
    blocks: Vec<(usize, usize)>,
    len: usize,
    /// The last path pushed, to share a prefix with the next.
    last: String,
}

impl Paths {
    /// Adds `path`, which must sort after every path added before; a path equal to the last one
    /// is left out.
    pub(crate) fn push(&mut self, path: &str) {
        if self.len > 0 && path == self.last {
            return;
        }
        debug_assert!(
            self.len == 0 || path > self.last.as_str(),
            "{path} after {}",
            self.last
        );
        let shared = if self.len.is_multiple_of(BLOCK) {
            self.blocks.push((self.lengths.len(), self.text.len()));
            0
        } else {
            common_prefix(&self.last, path)
        };
        put(&mut self.lengths, shared);
        put(&mut self.lengths, path.len() - shared);
        self.text.push_str(&path[shared..]);
        self.last.truncate(shared);
        self.last.push_str(&path[shared..]);
        self.len += 1;
    }

    /// Whether `path` is listed: the block is found by its first path, then gone through
    /// without decoding a path, by how much of `path` each one matches.
    pub(crate) fn contains(&self, path: &str) -> bool {
        // The last block whose first path is not after `path`; a block's first path is stored
        // whole, so it is compared where it lies.
        let (mut lo, mut hi) = (0, self.blocks.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            let (mut at, start) = self.blocks[mid];
            let _shared = take(&self.lengths, &mut at);
            let len = take(&self.lengths, &mut at);
            let head = self.text.get(start..start + len).unwrap_or_default();
            if head <= path {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let Some(block) = lo.checked_sub(1) else {
            return false;
        };
        let (mut at, mut start) = self.blocks[block];
        let end = self
            .blocks
            .get(block + 1)
            .map_or(self.lengths.len(), |&(e, _)| e);
        // Each path gone past sorts before `path` and shares its first `matched` bytes. The next
        // shares `shared` bytes with it: more than `matched`, it too parts from `path` at
        // `matched`, downward; fewer, it parts from `path` upward, where the last one agreed.
        // (A block's first path shares nothing, as `matched` is 0 before it.)
        let (path, text) = (path.as_bytes(), self.text.as_bytes());
        let mut matched = 0;
        while at < end {
            let shared = take(&self.lengths, &mut at);
            let rest = take(&self.lengths, &mut at);
            let suffix = text.get(start..start + rest).unwrap_or_default();
            start += rest;
            match shared.cmp(&matched) {
                std::cmp::Ordering::Greater => continue,
                std::cmp::Ordering::Less => return false,
                std::cmp::Ordering::Equal => {}
            }
            let tail = path.get(matched..).unwrap_or_default();
            let common = suffix.iter().zip(tail).take_while(|(a, b)| a == b).count();
            match (suffix.get(common), tail.get(common)) {
                (None, None) => return true,
                (Some(_), None) => return false,
                (Some(a), Some(b)) if a > b => return false,
                _ => matched += common,
            }
        }
        false
    }

    /// Calls `f` with every path, in order.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&str)) {
        let mut buf = String::new();
        let (mut at, mut start) = (0, 0);
        while at < self.lengths.len() {
            self.next(&mut at, &mut start, &mut buf);
            f(&buf);
        }
    }

    /// Every path, as owned strings.
    #[cfg(test)]
    pub(crate) fn to_vec(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.len);
        self.for_each(|p| out.push(p.to_owned()));
        out
    }

    /// Decodes the path whose lengths are at `*at` and whose rest is at `*start` into `buf`,
    /// which holds the path before it.
    fn next(&self, at: &mut usize, start: &mut usize, buf: &mut String) {
        let shared = take(&self.lengths, at);
        let rest = take(&self.lengths, at);
        let end = (*start + rest).min(self.text.len());
        buf.truncate(shared.min(buf.len()));
        buf.push_str(self.text.get(*start..end).unwrap_or_default());
        *start = end;
    }
}

/// The files one walk found directly in one folder: the folder (`""` for the root) and the
/// names, each followed by a NUL (which no file name holds).
#[derive(Debug, Default)]
pub(crate) struct Folder {
    pub(crate) rel: String,
    pub(crate) names: String,
}

impl Paths {
    /// The listing of the files of `folders`, in the order of their whole paths, built without
    /// making a string of each: the folders in order (each sorts as its path and a `/`), and in
    /// each folder its files merged with its subfolders, a file going before a subfolder when
    /// its name sorts before the subfolder's name and a `/`.
    pub(crate) fn of_folders(mut folders: Vec<Folder>) -> Paths {
        use std::cmp::Ordering;
        folders.sort_by(|a, b| match (a.rel.is_empty(), b.rel.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => (a.rel.bytes().chain([b'/'])).cmp(b.rel.bytes().chain([b'/'])),
        });
        let mut listing = Paths::default();
        let mut path = String::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut next = 0;
        let own = |rel: &str, next: &mut usize, folders: &mut Vec<Folder>| match folders
            .get_mut(*next)
        {
            Some(f) if f.rel == rel => {
                *next += 1;
                let names = std::mem::take(&mut f.names);
                let mut spans = Vec::new();
                let mut at = 0;
                for name in names.split_terminator('\0') {
                    spans.push((at, name.len()));
                    at += name.len() + 1;
                }
                spans.sort_unstable_by(|a, b| names[a.0..a.0 + a.1].cmp(&names[b.0..b.0 + b.1]));
                (names, spans)
            }
            _ => (String::new(), Vec::new()),
        };
        let (names, spans) = own("", &mut next, &mut folders);
        stack.push((String::new(), names, spans, 0));
        while let Some((prefix, names, spans, done)) = stack.last_mut() {
            let below = folders.get(next).and_then(|f| {
                let rest = if prefix.is_empty() {
                    Some(f.rel.as_str())
                } else {
                    f.rel
                        .strip_prefix(prefix.as_str())
                        .and_then(|r| r.strip_prefix('/'))
                };
                rest.and_then(|r| r.split('/').next())
            });
            let name = |&(at, len): &(usize, usize)| &names[at..at + len];
            let upto = below.map_or(spans.len(), |child| {
                spans.partition_point(|span| sorts_before_folder(name(span), child))
            });
            while *done < upto {
                path.clear();
                if !prefix.is_empty() {
                    path.push_str(prefix);
                    path.push('/');
                }
                path.push_str(name(&spans[*done]));
                listing.push(&path);
                *done += 1;
            }
            match below.map(str::to_owned) {
                Some(child) => {
                    let rel = if prefix.is_empty() {
                        child
                    } else {
                        format!("{prefix}/{child}")
                    };
                    let (names, spans) = own(&rel, &mut next, &mut folders);
                    stack.push((rel, names, spans, 0));
                }
                None => {
                    stack.pop();
                }
            }
        }
        listing.lengths.shrink_to_fit();
        listing.text.shrink_to_fit();
        listing.blocks.shrink_to_fit();
        listing
    }

    /// This listing with `more` (sorted) merged in.
    pub(crate) fn merged(&self, more: &[String]) -> Paths {
        let mut out = Paths::default();
        let mut extra = more.iter().peekable();
        self.for_each(|p| {
            while let Some(e) = extra.next_if(|e| e.as_str() < p) {
                out.push(e);
            }
            out.push(p);
        });
        extra.for_each(|e| out.push(e));
        out
    }
}

/// One open folder of [`Paths::of_folders`]: its path, its names (taken from the folders given,
/// so that each folder's names are freed once listed), where each name is in them, sorted, and
/// how many are listed.
type Frame = (String, String, Vec<(usize, usize)>, usize);

/// Whether a file `name` sorts before everything in the sibling folder `folder`: before
/// `folder/`, byte by byte.
fn sorts_before_folder(name: &str, folder: &str) -> bool {
    let (n, d) = (name.as_bytes(), folder.as_bytes());
    let m = n.len().min(d.len());
    match n[..m].cmp(&d[..m]) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => n.len() <= d.len() || n[d.len()] < b'/',
    }
}

/// The length of the longest common prefix of `a` and `b` that ends on a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    // Eight bytes at a time first: paths of one folder share dozens.
    let word = |s: &[u8]| u64::from_ne_bytes(s.try_into().unwrap_or_default());
    let mut n = x
        .chunks_exact(8)
        .zip(y.chunks_exact(8))
        .take_while(|(p, q)| word(p) == word(q))
        .count()
        * 8;
    n += x[n..]
        .iter()
        .zip(&y[n..])
        .take_while(|(p, q)| p == q)
        .count();
    while !b.is_char_boundary(n) {
        n -= 1;
    }
    n
}

/// Appends `n` as LEB128.
fn put(data: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            data.push(byte);
            return;
        }
        data.push(byte | 0x80);
    }
}

/// Reads a LEB128 number at `*at`.
fn take(data: &[u8], at: &mut usize) -> usize {
    let mut n = 0usize;
    let mut shift = 0;
    while let Some(&byte) = data.get(*at) {
        *at += 1;
        n |= usize::from(byte & 0x7f) << shift.min(63);
        shift += 7;
        if byte & 0x80 == 0 {
            break;
        }
    }
    n
}

/// Paths a stage goes through one by one: sorted and unique.
pub(crate) trait PathList: Sync {
    /// Calls `f` with every path, in order.
    fn each(&self, f: &mut dyn FnMut(&str));
}

impl PathList for Paths {
    fn each(&self, f: &mut dyn FnMut(&str)) {
        self.for_each(f);
    }
}

impl PathList for [String] {
    /// Sorted and made unique first when they are not (in-memory repositories of tests).
    fn each(&self, f: &mut dyn FnMut(&str)) {
        if self.windows(2).all(|w| w[0] < w[1]) {
            self.iter().for_each(|p| f(p));
        } else {
            let mut sorted: Vec<&str> = self.iter().map(String::as_str).collect();
            sorted.sort_unstable();
            sorted.dedup();
            sorted.into_iter().for_each(f);
        }
    }
}

impl PathList for Vec<String> {
    fn each(&self, f: &mut dyn FnMut(&str)) {
        self.as_slice().each(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths_of(paths: &[&str]) -> Paths {
        let mut listing = Paths::default();
        for p in paths {
            listing.push(p);
        }
        listing
    }

    #[test]
    fn paths_come_back_in_order_and_lookups_find_exactly_them() {
        let mut paths: Vec<String> = (0..100)
            .flat_map(|d| (0..7).map(move |f| format!("dir{d:03}/sub/file-{f}.yaml")))
            .collect();
        paths.extend(["a", "a/b", "caf\u{e9}/x", "caf\u{e9}/\u{e9}t\u{e9}"].map(String::from));
        paths.push("z".repeat(300));
        paths.sort();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let listing = paths_of(&refs);
        assert_eq!(listing.to_vec(), paths);
        for p in &paths {
            assert!(listing.contains(p), "{p}");
        }
        for absent in [
            "",
            "0",
            "a/",
            "dir000",
            "dir050/sub/file-7.yaml",
            "zz",
            "caf",
        ] {
            assert!(!listing.contains(absent), "{absent}");
        }
        let whole: usize = paths.iter().map(String::len).sum();
        assert!(
            listing.text.len() + listing.lengths.len() < whole / 2,
            "{} of {whole}",
            listing.text.len() + listing.lengths.len()
        );
    }

    /// Every near miss of every listed path: cut short, one byte more, one byte up or down.
    #[test]
    fn lookups_agree_with_a_set_on_every_near_miss() {
        let mut paths: Vec<String> = Vec::new();
        for d in ["a", "ab", "b/c", "b/cd", "b/c-d", "\u{e9}"] {
            for f in ["x", "xy", "xz", "y.yml", "y/z", "\u{e9}t\u{e9}"] {
                paths.push(format!("{d}/{f}"));
            }
        }
        paths.extend((0..150).map(|i| format!("m/{i:04}")));
        paths.sort();
        paths.dedup();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let listing = paths_of(&refs);
        let set: std::collections::BTreeSet<&str> = refs.iter().copied().collect();
        let mut probes: Vec<String> = Vec::new();
        for p in &paths {
            let b = p.as_bytes();
            for cut in 0..=b.len() {
                let head = String::from_utf8_lossy(&b[..cut]).into_owned();
                for more in ["", "0", "~", "/"] {
                    probes.push(format!("{head}{more}"));
                }
            }
            for i in 0..b.len() {
                for delta in [1u8, 255] {
                    let mut c = b.to_vec();
                    c[i] = c[i].wrapping_add(delta);
                    probes.push(String::from_utf8_lossy(&c).into_owned());
                }
            }
        }
        for probe in &probes {
            assert_eq!(
                listing.contains(probe),
                set.contains(probe.as_str()),
                "{probe:?}"
            );
        }
    }

    #[test]
    fn folders_come_out_in_the_order_of_whole_paths() {
        let files = [
            "a/b.txt",
            "a/b/x",
            "a/c",
            "a-b",
            "a.txt",
            "b",
            "a/b/y/z",
            "a/ba",
            "a/b-",
            "x/y/z/w",
            ".github/workflows/a.yml",
            ".gitlab-ci.yml",
            "caf\u{e9}",
            "a/b/\u{e9}",
        ];
        let mut folders: std::collections::BTreeMap<&str, String> = Default::default();
        for f in files {
            let (dir, name) = f.rsplit_once('/').unwrap_or(("", f));
            let names = folders.entry(dir).or_default();
            names.push_str(name);
            names.push('\0');
        }
        // In any order, as the walk's threads give them.
        let folders: Vec<Folder> = folders
            .into_iter()
            .rev()
            .map(|(rel, names)| Folder {
                rel: rel.to_owned(),
                names,
            })
            .collect();
        let mut expected: Vec<&str> = files.to_vec();
        expected.sort_unstable();
        assert_eq!(Paths::of_folders(folders).to_vec(), expected);
        let merged = paths_of(&["a", "c"]).merged(&["b".to_owned(), "d".to_owned()]);
        assert_eq!(merged.to_vec(), ["a", "b", "c", "d"]);
    }

    #[test]
    fn a_repeated_path_is_kept_once_and_an_empty_listing_holds_nothing() {
        let listing = paths_of(&["a", "a", "b"]);
        assert_eq!(listing.to_vec(), ["a", "b"]);
        assert!(Paths::default().to_vec().is_empty());
        assert!(!Paths::default().contains("a"));
    }

    #[test]
    fn a_slice_of_paths_is_gone_through_sorted_and_unique() {
        let paths = vec!["b".to_owned(), "a".to_owned(), "b".to_owned()];
        let mut seen = Vec::new();
        paths.each(&mut |p| seen.push(p.to_owned()));
        assert_eq!(seen, ["a", "b"]);
    }
}
