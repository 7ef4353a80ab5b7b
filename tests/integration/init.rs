//! Behaviour of `gitops-gen init`: refusing to overwrite a model, --force, non-git directories,
//! --env/--app flags and detection from the git repository.

use serde_norway::Value as Node;

use crate::common::*;

/// Parses the written model with an independent YAML reader.
fn model(dir: &std::path::Path) -> Node {
    let text = read(dir, "gitops-gen.yaml");
    serde_norway::from_str(&text).expect("init writes one valid YAML document")
}

fn get<'n>(node: &'n Node, key: &str) -> &'n Node {
    node.get(key)
        .unwrap_or_else(|| panic!("model has no `{key}`"))
}

fn str_of<'n>(node: &'n Node, key: &str) -> &'n str {
    get(node, key)
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string"))
}

fn strings(node: &Node) -> Vec<&str> {
    node.as_sequence()
        .expect("a list")
        .iter()
        .map(|n| n.as_str().expect("a string"))
        .collect()
}

#[test]
fn init_refuses_an_existing_model_and_force_overwrites_it() {
    let (_tmp, dir) = named_dir("demo");
    git_repo(&dir, None);
    assert_code(&run(&dir, &["init", "--yes"]), 0);
    append(&dir, "gitops-gen.yaml", "# my notes\n");
    let before = read_tree(&dir);

    let again = run(&dir, &["init", "--yes"]);
    assert_code(&again, 1);
    let err = stderr(&again);
    assert!(err.contains("already exists"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(read_tree(&dir), before, "a refused init writes nothing");

    let forced = run(&dir, &["init", "--yes", "--force"]);
    assert_code(&forced, 0);
    assert!(!read(&dir, "gitops-gen.yaml").contains("# my notes"));
    assert_code(&run(&dir, &["generate", "--check"]), 0);
}

#[test]
fn init_works_in_an_empty_non_git_directory() {
    let (_tmp, dir) = named_dir("plain");
    let out = run(&dir, &["init", "--yes"]);
    assert_code(&out, 0);
    let m = model(&dir);
    assert_eq!(str_of(&m, "project"), "plain");
    // No remote to detect from: GitHub and ghcr.io under the project name.
    assert_eq!(str_of(&m, "ci"), "github");
    assert_eq!(str_of(&m, "registry"), "ghcr.io/plain");
    assert_eq!(str_of(get(&m, "gitops"), "branch"), "main");
    assert!(dir.join(".github/workflows/gitops.yml").is_file());
    // A repository on the model's branch, as `cargo new` makes one, so `git add . && git
    // commit` works next.
    assert!(stderr(&out).contains("create .git (git init --initial-branch main)"));
    assert_eq!(
        git(&dir, &["symbolic-ref", "--short", "HEAD"]).trim(),
        "main"
    );
    assert_text_hygiene(&dir);
    assert_code(&run(&dir, &["generate", "--check"]), 0);
    // Not with --no-git; and never inside an existing repository.
    let (_tmp, plain) = named_dir("plain");
    assert_code(&run(&plain, &["init", "--yes", "--no-git"]), 0);
    assert!(!plain.join(".git").exists());
    let (_tmp, outer) = named_dir("outer");
    git_repo(&outer, None);
    assert_code(&run(&outer, &["init", "inner", "--yes"]), 0);
    assert!(!outer.join("inner/.git").exists());
}

#[test]
fn init_creates_a_missing_directory_argument() {
    let (tmp, _dir) = named_dir("unused");
    let out = run(tmp.path(), &["init", "new-repo", "--yes"]);
    assert_code(&out, 0);
    let dir = tmp.path().join("new-repo");
    assert_eq!(str_of(&model(&dir), "project"), "new-repo");
    assert_code(&run(&dir, &["generate", "--check"]), 0);
}

#[test]
fn init_with_env_and_app_flags() {
    let (_tmp, dir) = named_dir("shop");
    git_repo(&dir, None);
    let out = run(
        &dir,
        &[
            "init",
            "--yes",
            "--ci",
            "both",
            "--registry",
            "ghcr.io/acme",
            "--env",
            "staging=develop",
            "--env",
            "production=main",
            "--env",
            "preview=feature/*,fix/*",
            "--app",
            "web",
            "--app",
            "api=quay.io/acme/api",
        ],
    );
    assert_code(&out, 0);
    let m = model(&dir);
    assert_eq!(str_of(&m, "ci"), "both");
    assert_eq!(str_of(&m, "registry"), "ghcr.io/acme");

    let envs = get(&m, "environments")
        .as_sequence()
        .expect("environments list");
    let names: Vec<&str> = envs.iter().map(|e| str_of(e, "name")).collect();
    assert_eq!(
        names,
        ["staging", "production", "preview"],
        "flag order kept"
    );
    assert_eq!(strings(get(&envs[0], "branches")), ["develop"]);
    assert_eq!(str_of(&envs[0], "promotion"), "commit");
    // The branch HEAD names is production's: it goes through a pull request.
    assert_eq!(str_of(&envs[1], "promotion"), "pull-request");
    assert_eq!(strings(get(&envs[2], "branches")), ["feature/*", "fix/*"]);
    assert_eq!(get(&envs[2], "preview").as_bool(), Some(true));

    // Only what was given is written: web's image, context and Dockerfile follow `registry:`
    // and `context:` from the defaults, so a later change of either takes effect.
    let apps = get(&m, "apps").as_sequence().expect("apps list");
    assert_eq!(str_of(&apps[1], "image"), "quay.io/acme/api");
    for app in apps {
        for key in ["context", "dockerfile", "port"] {
            assert!(app.get(key).is_none(), "{key} written: {app:?}");
        }
    }
    assert!(apps[0].get("image").is_none(), "web's image is the default");
    let text = read(&dir, "gitops-gen.yaml")
        .replace(
            "registry: ghcr.io/acme",
            "registry: registry.example.com/team",
        )
        .replace(
            "  - name: web\n",
            "  - name: web\n    context: services/web\n",
        );
    write(&dir, "gitops-gen.yaml", &text);
    // web's seeded base still runs the old image, so an overlay entry for the new one would
    // change nothing: generate says so, and the user updates the base they own.
    let out = run(&dir, &["generate"]);
    assert_code(&out, 2);
    let said = stderr(&out)
        .split_whitespace()
        .filter(|w| *w != "|")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        said.contains("the base `applications/base/web` of app `web` never runs the app's image"),
        "{said}"
    );
    let base = "applications/base/web/deployment.yaml";
    let edited = read(&dir, base).replace("ghcr.io/acme/web", "registry.example.com/team/web");
    write(&dir, base, &edited);
    generate_ok(&dir);
    let workflow = read(&dir, ".github/workflows/gitops.yml");
    assert!(
        workflow.contains("registry.example.com/team/web:${{ github.sha }}")
            && workflow.contains("file: services/web/Dockerfile"),
        "{workflow}"
    );

    for path in [
        ".github/workflows/gitops.yml",
        ".gitlab-ci.yml",
        "clusters/preview/apps.yaml",
        "applications/base/api/deployment.yaml",
        "applications/overlays/staging/kustomization.yaml",
    ] {
        assert!(dir.join(path).is_file(), "{path} missing");
    }
    assert!(
        !dir.join("clusters/development").exists(),
        "--env replaces the defaults"
    );
    assert_text_hygiene(&dir);
}

#[test]
fn init_rejects_a_malformed_env_flag_without_writing() {
    let (_tmp, dir) = named_dir("shop");
    let out = run(&dir, &["init", "--yes", "--env", "staging"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("NAME=BRANCH"), "{}", stderr(&out));
    assert_eq!(list_files(&dir), Vec::<String>::new());
}

#[test]
fn init_rejects_an_invalid_app_name_with_a_model_diagnostic() {
    // Flags feed the model text, so a bad name gets the model's diagnostic and nothing is written.
    let (_tmp, dir) = named_dir("shop");
    let out = run(&dir, &["init", "--yes", "--app", "Web_App"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("DNS-1123"), "{}", stderr(&out));
    assert_eq!(list_files(&dir), Vec::<String>::new());
}

#[test]
fn init_uses_master_when_head_is_master() {
    let (_tmp, dir) = named_dir("legacy");
    git_repo_on(&dir, "master", None);
    assert_code(&run(&dir, &["init", "--yes"]), 0);
    let m = model(&dir);
    assert_eq!(str_of(get(&m, "gitops"), "branch"), "master");
    let envs = get(&m, "environments")
        .as_sequence()
        .expect("environments list");
    let production = envs
        .iter()
        .find(|e| str_of(e, "name") == "production")
        .expect("a production environment");
    assert_eq!(strings(get(production, "branches")), ["master"]);
}

#[test]
fn init_detects_github_from_the_remote() {
    let (_tmp, dir) = named_dir("shop");
    git_repo(&dir, Some("git@github.com:Acme/shop.git"));
    let out = run(&dir, &["init", "--yes"]);
    assert_code(&out, 0);
    let m = model(&dir);
    assert_eq!(str_of(&m, "ci"), "github");
    // Registries are lowercase; the GitHub owner need not be.
    assert_eq!(str_of(&m, "registry"), "ghcr.io/acme");
    // It ends with the next steps, for this repository.
    let err = stderr(&out);
    assert!(err.contains("next: bootstrap: flux bootstrap github --owner=Acme --repository=shop --branch=main --path=clusters/production"), "{err}");
    assert!(err.contains("next: protect the GitOps branch so the pull requests that promote into production need a review"), "{err}");
}

#[test]
fn init_for_argo_cd_writes_the_address_argo_cd_clones() {
    let (_tmp, dir) = named_dir("shop");
    git_repo(&dir, Some("git@github.com:Acme/shop.git"));
    let out = run(&dir, &["init", "--yes", "--operator", "argocd"]);
    assert_code(&out, 0);
    let m = model(&dir);
    assert_eq!(str_of(&m, "operator"), "argocd");
    assert_eq!(
        str_of(get(&m, "gitops"), "url"),
        "https://github.com/Acme/shop.git"
    );
    assert!(dir.join("clusters/production/argocd/root.yaml").is_file());
    let err = stderr(&out);
    assert!(
        err.contains(
            "next: bootstrap: kubectl apply -n argocd -f clusters/production/argocd/root.yaml"
        ),
        "{err}"
    );
    // Without a remote there is no address to write, and nothing is written.
    let (_tmp, bare) = named_dir("shop");
    git_repo(&bare, None);
    let out = run(&bare, &["init", "--yes", "--operator", "argocd"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("needs the repository's address"),
        "{}",
        stderr(&out)
    );
    assert!(!bare.join("gitops-gen.yaml").exists());
}

#[test]
fn init_for_fleet_writes_the_address_and_says_how_to_start_the_manager() {
    let (_tmp, dir) = named_dir("shop");
    git_repo(&dir, Some("https://gitlab.com/acme/shop.git"));
    let out = run(&dir, &["init", "--yes", "--operator", "fleet"]);
    assert_code(&out, 0);
    let m = model(&dir);
    assert_eq!(str_of(&m, "operator"), "fleet");
    assert_eq!(
        str_of(get(&m, "gitops"), "url"),
        "https://gitlab.com/acme/shop.git"
    );
    assert!(dir.join("clusters/fleet/root.yaml").is_file());
    assert!(!dir.join("clusters/production").exists());
    let err = stderr(&out);
    assert!(
        err.contains("next: bootstrap: kubectl apply -f clusters/fleet/root.yaml"),
        "{err}"
    );
    assert!(
        err.contains("next: bootstrap: kubectl label clusters.fleet.cattle.io -n fleet-default <fleet name of production> gitops-gen/cluster=production"),
        "{err}"
    );
    assert_code(&run(&dir, &["generate", "--check"]), 0);
}

#[test]
fn init_then_generate_is_a_no_op() {
    let (_tmp, dir) = named_dir("demo");
    git_repo(&dir, None);
    assert_code(&run(&dir, &["init", "--yes"]), 0);
    let before = read_tree(&dir);
    let out = generate_ok(&dir);
    assert!(stderr(&out).contains("up to date"), "{}", stderr(&out));
    assert_eq!(read_tree(&dir), before);
}

#[test]
fn a_self_managed_gitlab_gets_its_own_registry_guessed_and_said() {
    let (_tmp, dir) = named_dir("app");
    git_repo(&dir, Some("https://gitlab.example.com/grp/app.git"));
    let out = run(&dir, &["init", "--yes"]);
    assert_code(&out, 0);
    let m = model(&dir);
    assert_eq!(str_of(&m, "ci"), "gitlab");
    assert_eq!(
        str_of(&m, "registry"),
        "registry.gitlab.example.com/grp/app"
    );
    assert!(
        stderr(&out).contains("warning: the registry of gitlab.example.com is guessed"),
        "{}",
        stderr(&out)
    );
    // gitlab.com's registry is known, and a given --registry is not second-guessed.
    let (_tmp, dir) = named_dir("app");
    git_repo(&dir, Some("https://gitlab.example.com/grp/app.git"));
    let out = run(&dir, &["init", "--yes", "--registry", "cr.example.com/grp"]);
    assert_code(&out, 0);
    assert!(!stderr(&out).contains("guessed"), "{}", stderr(&out));
}

/// Without `--operator`, a repository that already has Argo CD objects keeps Argo CD, and says so.
#[test]
fn init_keeps_the_operator_the_repository_already_has() {
    let (_tmp, dir) = named_dir("shop");
    git_repo(&dir, Some("https://github.com/acme/shop.git"));
    write(
        &dir,
        "argocd/shop.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n",
    );
    let out = run(&dir, &["init", "--yes"]);
    assert_code(&out, 0);
    let m = model(&dir);
    assert_eq!(str_of(&m, "operator"), "argocd");
    assert!(
        stderr(&out).contains("operator argocd: the repository already has Argo CD objects (Application argocd/shop.yaml:1)"),
        "{}",
        stderr(&out)
    );
    // An explicit choice wins.
    let (_tmp, other) = named_dir("shop");
    git_repo(&other, Some("https://github.com/acme/shop.git"));
    write(
        &other,
        "argocd/shop.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n",
    );
    assert_code(&run(&other, &["init", "--yes", "--operator", "flux"]), 0);
    assert_eq!(str_of(&model(&other), "operator"), "flux");
    // Objects of two operators: Flux, and the question said.
    let (_tmp, both) = named_dir("shop");
    git_repo(&both, Some("https://github.com/acme/shop.git"));
    write(
        &both,
        "argocd/shop.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n",
    );
    write(&both, "fleet/fleet.yaml", "defaultNamespace: shop\n");
    let out = run(&both, &["init", "--yes"]);
    assert_code(&out, 0);
    assert_eq!(str_of(&model(&both), "operator"), "flux");
    assert!(
        stderr(&out).contains("operator flux: the repository has objects of several operators"),
        "{}",
        stderr(&out)
    );
}
