//! Image builders: commands that build or push container images (`docker build`, `buildx`,
//! kaniko, buildah, podman, ko, pack, skaffold, Cloud Build, and Jib inside Maven or Gradle),
//! the images they name and whether they push.

use super::image_builder::ImageBuilder;
use crate::infer::shell::Command;

/// How an image builder decides whether it pushes.
#[derive(Debug, Clone, Copy)]
enum Push {
    /// Always pushes (`docker push`).
    Always,
    /// Pushes when one of these options is given (`buildx build --push`).
    IfFlag(&'static [&'static str]),
    /// Pushes unless one of these options is given (`kaniko --no-push`).
    UnlessFlag(&'static [&'static str]),
}

/// Where a builder's command names the image.
#[derive(Debug, Clone, Copy)]
enum ImageArg {
    /// In these options (`-t`, `--destination`).
    Flags(&'static [&'static str]),
    /// In the first positional after the subcommand (`docker push IMAGE`).
    Positional,
    /// Nowhere on the command line (`docker buildx bake`, `skaffold build`).
    Unnamed,
}

/// One way of building or pushing images.
#[derive(Debug)]
struct BuilderSpec {
    builder: ImageBuilder,
    /// Program basenames that run it.
    programs: &'static [&'static str],
    /// Subcommand paths that do it, spellings of one operation (`build`, `image build`); an
    /// empty path is the program itself.
    verbs: &'static [&'static [&'static str]],
    image: ImageArg,
    push: Push,
}

/// The image named with `-t` / `--tag`, as most builders do.
const TAG: ImageArg = ImageArg::Flags(&["-t", "--tag"]);

/// Options that stop `ko` from pushing.
const KO_LOCAL: Push = Push::UnlessFlag(&["--local", "-L", "--push=false"]);

/// Image builder options that take a separate value, so subcommands and positional images can
/// be found.
const DOCKER_VALUE_FLAGS: &[&str] = &[
    "-t",
    "--tag",
    "-f",
    "--file",
    "--build-arg",
    "--target",
    "--platform",
    "--label",
    "--cache-from",
    "--cache-to",
    "--secret",
    "--ssh",
    "--network",
    "--progress",
    "-o",
    "--output",
    "--iidfile",
    "--metadata-file",
    "--builder",
    "--add-host",
    "--shm-size",
    "-m",
    "--memory",
    "--build-context",
    "--annotation",
    "--allow",
    "-H",
    "--host",
    "--context",
    "-c",
    "--config",
    "-l",
    "--log-level",
    "--format",
    "--authfile",
    "--creds",
    "--layers",
    "--isolation",
];

/// Every image builder. Among the rows whose program runs, the longest subcommand path that
/// matches wins.
const IMAGE_BUILDERS: &[BuilderSpec] = &[
    BuilderSpec {
        builder: ImageBuilder::Buildx,
        programs: &["docker"],
        verbs: &[&["buildx", "build"]],
        image: TAG,
        push: Push::IfFlag(&["--push"]),
    },
    BuilderSpec {
        builder: ImageBuilder::Buildx,
        programs: &["docker"],
        verbs: &[&["buildx", "bake"]],
        image: ImageArg::Unnamed,
        push: Push::IfFlag(&["--push"]),
    },
    BuilderSpec {
        builder: ImageBuilder::Buildx,
        programs: &["docker-buildx"],
        verbs: &[&["build"]],
        image: TAG,
        push: Push::IfFlag(&["--push"]),
    },
    BuilderSpec {
        builder: ImageBuilder::Docker,
        programs: &["docker"],
        verbs: &[&["build"], &["image", "build"]],
        image: TAG,
        push: Push::IfFlag(&["--push"]),
    },
    BuilderSpec {
        builder: ImageBuilder::Docker,
        programs: &["docker"],
        verbs: &[&["push"], &["image", "push"]],
        image: ImageArg::Positional,
        push: Push::Always,
    },
    BuilderSpec {
        builder: ImageBuilder::Kaniko,
        programs: &["executor", "kaniko"],
        verbs: &[&[]],
        image: ImageArg::Flags(&["-d", "--destination"]),
        push: Push::UnlessFlag(&["--no-push"]),
    },
    BuilderSpec {
        builder: ImageBuilder::Buildah,
        programs: &["buildah"],
        verbs: &[&["bud"], &["build"]],
        image: TAG,
        push: Push::IfFlag(&[]),
    },
    BuilderSpec {
        builder: ImageBuilder::Buildah,
        programs: &["buildah"],
        verbs: &[&["push"]],
        image: ImageArg::Positional,
        push: Push::Always,
    },
    BuilderSpec {
        builder: ImageBuilder::Podman,
        programs: &["podman"],
        verbs: &[&["build"]],
        image: TAG,
        push: Push::IfFlag(&[]),
    },
    BuilderSpec {
        builder: ImageBuilder::Podman,
        programs: &["podman"],
        verbs: &[&["push"]],
        image: ImageArg::Positional,
        push: Push::Always,
    },
    BuilderSpec {
        builder: ImageBuilder::Ko,
        programs: &["ko"],
        verbs: &[&["build"], &["publish"]],
        image: ImageArg::Positional,
        push: KO_LOCAL,
    },
    BuilderSpec {
        builder: ImageBuilder::Ko,
        programs: &["ko"],
        verbs: &[&["resolve"], &["apply"]],
        image: ImageArg::Unnamed,
        push: KO_LOCAL,
    },
    BuilderSpec {
        builder: ImageBuilder::Pack,
        programs: &["pack"],
        verbs: &[&["build"]],
        image: ImageArg::Positional,
        push: Push::IfFlag(&["--publish"]),
    },
    BuilderSpec {
        builder: ImageBuilder::Skaffold,
        programs: &["skaffold"],
        verbs: &[&["build"]],
        image: ImageArg::Unnamed,
        push: Push::UnlessFlag(&["--push=false"]),
    },
    BuilderSpec {
        builder: ImageBuilder::GcloudBuilds,
        programs: &["gcloud"],
        verbs: &[&["builds", "submit"]],
        image: TAG,
        push: Push::Always,
    },
];

/// A recognised image build or push.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ImageMatch {
    pub builder: ImageBuilder,
    /// Image references as written.
    pub images: Vec<String>,
    pub pushes: bool,
}

/// Classifies an image build or push command.
pub(crate) fn classify_image(cmd: &Command) -> Option<ImageMatch> {
    let program = cmd.program()?;
    if let Some(m) = classify_jib(cmd, program) {
        return Some(m);
    }
    // kaniko's binary is a generic `executor`: require one of its options too.
    if program == "executor"
        && !cmd.words.first().is_some_and(|w| w.text.contains("kaniko"))
        && !cmd.has_flag(&["--destination", "-d", "--dockerfile", "--context"])
    {
        return None;
    }
    let positionals = cmd.positionals(DOCKER_VALUE_FLAGS);
    let (spec, verb) = IMAGE_BUILDERS
        .iter()
        .filter(|b| b.programs.contains(&program))
        .flat_map(|b| b.verbs.iter().map(move |verb| (b, *verb)))
        .filter(|(_, verb)| positionals.starts_with(verb))
        .max_by_key(|(_, verb)| verb.len())?;
    let images = match spec.image {
        ImageArg::Flags(flags) => cmd
            .args_after(flags)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        ImageArg::Positional => positionals
            .get(verb.len())
            .map(|p| (*p).to_owned())
            .into_iter()
            .collect(),
        ImageArg::Unnamed => Vec::new(),
    };
    let pushes = match spec.push {
        Push::Always => true,
        Push::IfFlag(flags) => {
            cmd.has_flag(flags)
                || (spec.builder == ImageBuilder::Buildx
                    && cmd
                        .args_after(&["-o", "--output"])
                        .iter()
                        .any(|o| o.contains("type=registry") || o.contains("push=true")))
        }
        Push::UnlessFlag(flags) => !cmd.words.iter().any(|w| flags.contains(&w.text.as_str())),
    };
    Some(ImageMatch {
        builder: spec.builder,
        images,
        pushes,
    })
}

/// Jib inside one build tool: the goals (Maven) or tasks (Gradle) that build an image.
struct Jib {
    programs: &'static [&'static str],
    /// Goals that build and push.
    push_goals: &'static [&'static str],
    /// Endings of qualified goals that build and push (`com.google.cloud.tools:jib-maven-plugin:build`).
    push_suffixes: &'static [&'static str],
    /// Goals that build to the local daemon or a tarball, without pushing.
    local_goals: &'static [&'static str],
}

const JIB: &[Jib] = &[
    Jib {
        programs: &["mvn", "mvnw", "mvn.cmd"],
        push_goals: &["jib:build"],
        push_suffixes: &["jib-maven-plugin:build"],
        local_goals: &["jib:dockerBuild", "jib:buildTar"],
    },
    Jib {
        programs: &["gradle", "gradlew", "gradlew.bat"],
        push_goals: &["jib"],
        push_suffixes: &[":jib"],
        local_goals: &["jibDockerBuild", "jibBuildTar"],
    },
];

/// Jib runs inside Maven or Gradle: `mvn compile jib:build`, `./gradlew jib`.
fn classify_jib(cmd: &Command, program: &str) -> Option<ImageMatch> {
    let jib = JIB.iter().find(|j| j.programs.contains(&program))?;
    let goals: Vec<&str> = cmd.words.iter().skip(1).map(|w| w.text.as_str()).collect();
    let runs = |names: &[&str], suffixes: &[&str]| {
        goals
            .iter()
            .any(|g| names.contains(g) || suffixes.iter().any(|s| g.ends_with(s)))
    };
    let pushes = if runs(jib.push_goals, jib.push_suffixes) {
        true
    } else if runs(jib.local_goals, &[]) {
        false
    } else {
        return None;
    };
    let images = goals
        .iter()
        .filter_map(|g| {
            g.strip_prefix("-Dimage=")
                .or_else(|| g.strip_prefix("-Djib.to.image="))
                .or_else(|| g.strip_prefix("--image="))
        })
        .map(str::to_owned)
        .collect();
    Some(ImageMatch {
        builder: ImageBuilder::Jib,
        images,
        pushes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_builders() {
        let img = |s: &str| {
            let cmds = crate::infer::shell::commands(s, &[]);
            cmds.iter().find_map(classify_image)
        };
        let m = img("docker build -t ghcr.io/a/b:$TAG .").expect("image");
        assert_eq!((m.builder, m.pushes), (ImageBuilder::Docker, false));
        assert_eq!(m.images, ["ghcr.io/a/b:$TAG"]);
        let m = img("docker push ghcr.io/a/b:1").expect("image");
        assert_eq!(
            (m.builder, m.pushes, m.images[0].as_str()),
            (ImageBuilder::Docker, true, "ghcr.io/a/b:1")
        );
        let m = img("docker buildx build --platform linux/amd64 --push -t x/y .").expect("image");
        assert_eq!((m.builder, m.pushes), (ImageBuilder::Buildx, true));
        let m = img("/kaniko/executor --context . --destination reg/app:1").expect("image");
        assert_eq!(
            (m.builder, m.pushes, m.images[0].as_str()),
            (ImageBuilder::Kaniko, true, "reg/app:1")
        );
        assert!(
            !img("/kaniko/executor --context . --no-push")
                .expect("image")
                .pushes
        );
        assert_eq!(
            img("buildah bud -t x .").expect("image").builder,
            ImageBuilder::Buildah
        );
        assert!(img("podman push x").expect("image").pushes);
        let m = img("mvn -B compile jib:build -Dimage=reg/app").expect("image");
        assert_eq!(
            (m.builder, m.pushes, m.images[0].as_str()),
            (ImageBuilder::Jib, true, "reg/app")
        );
        assert!(!img("./gradlew jibDockerBuild").expect("image").pushes);
        assert!(img("./gradlew jib").expect("image").pushes);
        assert_eq!(
            img("ko build ./cmd/app").expect("image").builder,
            ImageBuilder::Ko
        );
        assert!(!img("ko build --local ./cmd/app").expect("image").pushes);
        assert!(img("pack build reg/app --publish").expect("image").pushes);
        assert!(!img("pack build reg/app").expect("image").pushes);
        assert_eq!(
            img("skaffold build").expect("image").builder,
            ImageBuilder::Skaffold
        );
        assert_eq!(
            img("gcloud builds submit --tag gcr.io/p/app")
                .expect("image")
                .images,
            ["gcr.io/p/app"]
        );
        for not in [
            "docker run x",
            "docker login",
            "mvn package",
            "executor run",
            "echo docker build",
        ] {
            assert_eq!(img(not), None, "{not}");
        }
    }

    #[test]
    fn spellings_of_one_subcommand_and_qualified_jib_goals() {
        let img = |s: &str| {
            let cmds = crate::infer::shell::commands(s, &[]);
            cmds.iter().find_map(classify_image).expect("image")
        };
        let m = img("docker image build -t reg/app:1 .");
        assert_eq!(
            (m.builder, m.pushes, m.images[0].as_str()),
            (ImageBuilder::Docker, false, "reg/app:1")
        );
        let m = img("docker image push reg/app:1");
        assert_eq!(
            (m.builder, m.pushes, m.images[0].as_str()),
            (ImageBuilder::Docker, true, "reg/app:1")
        );
        assert_eq!(img("buildah build -t x .").builder, ImageBuilder::Buildah);
        assert_eq!(img("ko publish ./cmd/app").images, ["./cmd/app"]);
        let m = img("ko resolve -f config/");
        assert_eq!(
            (m.builder, m.pushes, m.images.len()),
            (ImageBuilder::Ko, true, 0)
        );
        let m = img("docker buildx bake --push");
        assert_eq!(
            (m.builder, m.pushes, m.images.len()),
            (ImageBuilder::Buildx, true, 0)
        );
        let m = img("docker buildx build -o type=registry -t x .");
        assert!(m.pushes);
        assert!(img("mvn com.google.cloud.tools:jib-maven-plugin:build").pushes);
        assert!(!img("mvn jib:dockerBuild").pushes);
        assert!(img("./gradlew :app:jib").pushes);
        assert!(!img("gradle jibBuildTar").pushes);
    }
}
