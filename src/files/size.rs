//! Sizes as people read them in messages about limits: `4 MiB`, `2.5 MiB`, `512 KiB`.

/// `bytes` in the largest binary unit that keeps it at or above 1, with one decimal when it is
/// not whole (`3 MiB`, `3.1 MiB`); plain bytes below 1 KiB.
pub(crate) fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut unit = 0;
    let mut scale: u64 = 1024;
    while unit + 1 < UNITS.len() && bytes >= scale.saturating_mul(1024) {
        scale = scale.saturating_mul(1024);
        unit += 1;
    }
    let whole = bytes / scale;
    let tenths = (bytes % scale).saturating_mul(10) / scale;
    let name = UNITS.get(unit).copied().unwrap_or("TiB");
    if tenths == 0 {
        format!("{whole} {name}")
    } else {
        format!("{whole}.{tenths} {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn binary_units_with_one_decimal() {
        assert_eq!(human(0), "0 B");
        assert_eq!(human(1023), "1023 B");
        assert_eq!(human(1024), "1 KiB");
        assert_eq!(human(4 * 1024 * 1024), "4 MiB");
        assert_eq!(human(3 * 1024 * 1024 + 200 * 1024), "3.1 MiB");
        assert_eq!(human(1 << 30), "1 GiB");
        assert_eq!(human(u64::MAX), "16777215.9 TiB");
    }
}
