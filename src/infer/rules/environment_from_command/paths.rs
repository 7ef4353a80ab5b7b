//! The environment a deployed path names (`values-prod.yaml`, `overlays/prod`), and the path as
//! seen from the repository root when the command runs in a folder.

use crate::infer::tier::is_tier_word;
use crate::infer::{Confidence, HintSource};

/// Directories whose children are environments (`overlays/prod`, `environments/staging`).
const ENV_DIRS: &[&str] = &[
    "overlays",
    "environments",
    "envs",
    "env",
    "clusters",
    "stages",
];

/// `path` as seen from the repository root when it is relative to `dir` (`.` in `k8s/prod` is
/// `k8s/prod`); as written when it starts elsewhere (`/`, `~`, a variable, a URL) or climbs out.
pub(super) fn in_dir(dir: &str, path: &str) -> String {
    crate::files::fold::relative(dir, path)
        .filter(|p| !dir.is_empty() && !p.is_empty())
        .unwrap_or_else(|| path.to_owned())
}

/// The environment a deployed path names: a values file (`values-prod.yaml`) or an overlay
/// (`overlays/prod`, `k8s/staging/`).
pub(super) fn path_hint(path: &str) -> Option<(String, HintSource, Confidence)> {
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let file = segments.last()?;
    let lower = file.to_ascii_lowercase();
    let is_values = lower.contains("values")
        && [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| lower.ends_with(ext));
    if is_values {
        let stem = file.rsplit_once('.').map_or(*file, |(s, _)| s);
        let parts: Vec<&str> = stem_parts(stem)
            .into_iter()
            .filter(|p| {
                !p.is_empty() && !matches!(p.to_ascii_lowercase().as_str(), "values" | "value")
            })
            .collect();
        let name = parts.join("-");
        let envish =
            parts.iter().any(|p| is_tier_word(&p.to_ascii_lowercase())) || name.contains('$');
        if !name.is_empty() && envish {
            return Some((name, HintSource::ValuesFile, Confidence::Low));
        }
        // `envs/prod/values.yaml`: the directory names it.
        return dir_hint(&segments[..segments.len() - 1])
            .map(|(n, _, c)| (n, HintSource::ValuesFile, c));
    }
    dir_hint(&segments)
}

/// A values file's name parts, split at `-`, `.` and `_`, a variable reference
/// (`$QUARKUS_PROFILE`, `${ENV_NAME}`, `${{ inputs.env }}`) being one part whatever it holds.
fn stem_parts(stem: &str) -> Vec<&str> {
    let references: Vec<(usize, usize)> = crate::infer::commands::references(stem)
        .filter_map(|(written, _)| {
            let at = written.as_ptr() as usize - stem.as_ptr() as usize;
            Some((at, at.checked_add(written.len())?))
        })
        .collect();
    // The references come in the order of the text: one pass over both.
    let mut next = references.iter().peekable();
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in stem.char_indices() {
        while next.next_if(|&&(_, end)| end <= i).is_some() {}
        let inside = next.peek().is_some_and(|&&(at, _)| at <= i);
        if matches!(c, '-' | '.' | '_') && !inside {
            parts.push(stem.get(start..i).unwrap_or_default());
            start = i + 1;
        }
    }
    parts.push(stem.get(start..).unwrap_or_default());
    parts
}

/// The environment a directory path names: the child of an environment directory
/// (`overlays/prod`), or else the segment nearest the file that is a tier word (`k8s/staging`;
/// `kubernetes_deploy/live/dev/deployment.yaml` is `dev`, the cluster `live` above it).
fn dir_hint(segments: &[&str]) -> Option<(String, HintSource, Confidence)> {
    for (i, seg) in segments.iter().enumerate() {
        if ENV_DIRS.contains(&seg.to_ascii_lowercase().as_str())
            && let Some(next) = segments.get(i + 1)
        {
            let name = next.rsplit_once('.').map_or(*next, |(s, _)| s);
            return Some((name.to_owned(), HintSource::Overlay, Confidence::Medium));
        }
    }
    segments.iter().rev().find_map(|seg| {
        let stem = seg.rsplit_once('.').map_or(*seg, |(s, _)| s);
        is_tier_word(&stem.to_ascii_lowercase())
            .then(|| (stem.to_owned(), HintSource::Overlay, Confidence::Low))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variable_stays_one_part_of_a_values_file_name() {
        assert_eq!(
            stem_parts("values.$APP_PROFILE"),
            ["values", "$APP_PROFILE"]
        );
        assert_eq!(
            stem_parts("values-${TARGET_ENV}_eu-${{ inputs.tier_name }}"),
            ["values", "${TARGET_ENV}", "eu", "${{ inputs.tier_name }}"]
        );
        assert_eq!(stem_parts("my_values-prod"), ["my", "values", "prod"]);
    }

    #[test]
    fn path_hints() {
        assert_eq!(
            path_hint("values-prod.yaml"),
            Some(("prod".into(), HintSource::ValuesFile, Confidence::Low))
        );
        assert_eq!(
            path_hint("helm/values.production.yml"),
            Some(("production".into(), HintSource::ValuesFile, Confidence::Low))
        );
        assert_eq!(
            path_hint("prod-values.yaml"),
            Some(("prod".into(), HintSource::ValuesFile, Confidence::Low))
        );
        assert_eq!(
            path_hint("values-eu-prod.yaml"),
            Some(("eu-prod".into(), HintSource::ValuesFile, Confidence::Low))
        );
        assert_eq!(
            path_hint("envs/uat/values.yaml"),
            Some(("uat".into(), HintSource::ValuesFile, Confidence::Medium))
        );
        assert_eq!(
            path_hint("values-${ENV}.yaml"),
            Some(("${ENV}".into(), HintSource::ValuesFile, Confidence::Low))
        );
        assert_eq!(
            path_hint("kubernetes_deploy/live/dev/deployment.yaml"),
            Some(("dev".into(), HintSource::Overlay, Confidence::Low))
        );
        assert_eq!(path_hint("values-secrets.yaml"), None);
        assert_eq!(path_hint("values.yaml"), None);
        assert_eq!(path_hint("./chart"), None);
        assert_eq!(
            path_hint("k8s/overlays/prod-eu"),
            Some(("prod-eu".into(), HintSource::Overlay, Confidence::Medium))
        );
        assert_eq!(
            path_hint("k8s/staging/"),
            Some(("staging".into(), HintSource::Overlay, Confidence::Low))
        );
        assert_eq!(
            path_hint("deploy/prod.yaml"),
            Some(("prod".into(), HintSource::Overlay, Confidence::Low))
        );
        assert_eq!(path_hint("k8s/deployment.yaml"), None);
    }

    #[test]
    fn paths_from_the_folder_a_command_runs_in() {
        assert_eq!(in_dir("k8s/overlays/prod", "."), "k8s/overlays/prod");
        assert_eq!(
            in_dir("deploy", "../k8s/values-uat.yaml"),
            "k8s/values-uat.yaml"
        );
        assert_eq!(in_dir("", "k8s/"), "k8s/");
        for elsewhere in ["/srv/k8s", "~/k8s", "$DIR/k8s", "https://x.io/a.yaml"] {
            assert_eq!(in_dir("deploy", elsewhere), elsewhere);
        }
        assert_eq!(
            in_dir("deploy", "../../x"),
            "../../x",
            "climbs out: as written"
        );
    }
}
