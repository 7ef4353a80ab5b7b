//! `gitops-gen migrate` on the analyze fixtures: a draft and a guide for every repository,
//! nothing written without `--write`, the team's files untouched with it, the same files the
//! second time, and evidence or a TODO behind what the draft says.

use std::path::Path;

use crate::common::*;

/// Every fixture repository of `analyze`, copied without its labels.
fn fixtures() -> Vec<(String, tempfile::TempDir, std::path::PathBuf)> {
    let mut out = Vec::new();
    let root = fixture("analyze");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .expect("fixtures")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let (tmp, dir) = named_dir(&name);
        copy_tree(&root.join(&name), &dir);
        let _ = std::fs::remove_file(dir.join("expected.yaml"));
        out.push((name, tmp, dir));
    }
    out
}

fn migrate(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["migrate"];
    all.extend_from_slice(args);
    all.push(".");
    run(dir, &all)
}

/// The number of TODO(migrate) questions a fixture's draft has, recorded in its
/// `expected.yaml` as `migrate_todos:` (a regression lock on the drafts, not an accuracy figure:
/// the drafts were written against these fixtures).
fn expected_todos(name: &str) -> usize {
    let text = read(&fixture("analyze").join(name), "expected.yaml");
    text.lines()
        .find_map(|l| l.strip_prefix("migrate_todos: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name}: expected.yaml has no `migrate_todos:`"))
}

/// The team's `.gitlab-ci.yml` after gitops-gen's edit: every key as it was, except that
/// `include:` and `stages:` gained items at their end; every comment still there.
fn only_added(name: &str, path: &str, before: &[u8], after: &[u8]) {
    use serde_norway::Value;
    let parse = |bytes: &[u8]| -> serde_norway::Mapping {
        match serde_norway::from_slice(bytes) {
            Ok(Value::Mapping(map)) => map,
            other => panic!("{name}: {path} is not a mapping: {other:?}"),
        }
    };
    let list = |v: &Value| match v {
        Value::Sequence(items) => items.clone(),
        Value::Null => Vec::new(),
        one => vec![one.clone()],
    };
    let (old, new) = (parse(before), parse(after));
    for (key, value) in &old {
        let now = new
            .get(key)
            .unwrap_or_else(|| panic!("{name}: {path} lost {key:?}"));
        if matches!(key.as_str(), Some("include" | "stages")) {
            let (was, is) = (list(value), list(now));
            assert!(
                is.len() > was.len() && is.starts_with(&was),
                "{name}: {path} {key:?}"
            );
        } else {
            assert_eq!(now, value, "{name}: {path} {key:?} changed");
        }
    }
    let after = String::from_utf8_lossy(after);
    for comment in String::from_utf8_lossy(before)
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
    {
        assert!(after.contains(comment), "{name}: {path} lost {comment:?}");
    }
}

/// `migrate --write` (the prepare phase) on every analyze fixture: a draft that parses with its
/// questions counted as `expected.yaml` says, no team file replaced (the GitLab pipeline only
/// gains its `include:`), and, wherever the draft validates, the generated tree: `generate
/// --check` clean, every generated file passing `validate-gitops` with 0 errors and 0 zizmor
/// findings, every kustomization building. The second run changes nothing.
#[test]
fn every_fixture_gets_a_draft_that_parses_and_says_where_each_value_came_from() {
    let mut drafted = 0;
    let mut generated = Vec::new();
    let mut kept = Vec::new();
    for (name, tmp, dir) in fixtures() {
        let before = read_tree(&dir);
        let out = migrate(&dir, &[]);
        assert_code(&out, 0);
        assert_eq!(read_tree(&dir), before, "{name}: written without --write");
        let out = migrate(&dir, &["--write"]);
        assert_code(&out, 0);
        let after = read_tree(&dir);
        for (path, bytes) in &before {
            match after.get(path) {
                Some(now) if now == bytes => {}
                Some(now) if path == ".gitlab-ci.yml" => only_added(&name, path, bytes, now),
                _ => panic!("{name}: {path} changed"),
            }
        }
        let text = read(&dir, "gitops-gen.yaml");
        drafted += 1;
        let todos = text.matches("# TODO(migrate):").count();
        let said = format!("({todos} TODO(migrate) question");
        assert!(stderr(&out).contains(&said), "{name}: {}", stderr(&out));
        assert_eq!(todos, expected_todos(&name), "{name}: TODO(migrate) count");
        // A draft that does not validate has a question to answer.
        let check = run(&dir, &["generate", "--check"]);
        if code(&check) == 0 {
            generated.push((name.clone(), dir.clone(), before.clone()));
        } else {
            assert!(
                todos > 0 || stderr(&check).contains("was not written by gitops-gen"),
                "{name}: invalid without a TODO:\n{}\n{text}",
                stderr(&check)
            );
        }
        // The second run keeps the model and changes nothing.
        let tree = read_tree(&dir);
        let again = migrate(&dir, &["--write"]);
        assert!(
            stderr(&again).contains("keep gitops-gen.yaml (yours"),
            "{name}: {}",
            stderr(&again)
        );
        assert_eq!(
            read_tree(&dir),
            tree,
            "{name}: the second run changed files"
        );
        kept.push(tmp);
    }
    println!(
        "{} of {drafted} drafts generate as they are",
        generated.len()
    );
    assert!(drafted > 100);
    let dirs: Vec<&std::path::Path> = generated.iter().map(|(_, d, _)| d.as_path()).collect();
    match validate_json(&dirs) {
        None => println!("{VALIDATOR_MISSING}"),
        Some(files) => {
            let mut failures = Vec::new();
            for (name, dir, before) in &generated {
                for (path, result) in files.iter().filter_map(|(p, r)| {
                    Some((p.strip_prefix(dir.to_str()?)?.trim_start_matches('/'), r))
                }) {
                    let ours = !before.contains_key(path);
                    let errors = result["errors"].as_array().map_or(0, Vec::len);
                    let findings = result["zizmor"].as_array().map_or(0, Vec::len);
                    if (ours && errors + findings > 0) || (path == ".gitlab-ci.yml" && errors > 0) {
                        failures.push(format!("{name}: {path}: {result}"));
                    }
                }
            }
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        }
    }
    if has_kubectl() {
        for (name, dir, _) in &generated {
            let (_, failures) = kustomize_every_folder(dir);
            assert!(failures.is_empty(), "{name}: {failures:?}");
        }
    } else {
        println!("{KUBECTL_MISSING}");
    }
}

/// The drafts of a few repositories, whole: the GitHub helm-by-tag release, kubectl per
/// environment from two workflows, a GitLab Kustomize layout.
#[test]
fn drafts_of_representative_repositories() {
    for name in [
        "01-gha-kubectl-per-env",
        "02-gha-helm-tags",
        "33-gitlab-kustomize-layout",
    ] {
        let (_tmp, dir) = named_dir(name);
        copy_tree(&fixture(&format!("analyze/{name}")), &dir);
        assert_code(&migrate(&dir, &["--write"]), 0);
        insta::assert_snapshot!(format!("migrate_{name}"), read(&dir, "gitops-gen.yaml"));
    }
}

/// The guide written next to the draft: what deploys today and what replaces it, the phases
/// with this repository's cluster folders, the credentials to revoke; the same the second time.
#[test]
fn the_migration_guide_of_a_repository() {
    let (_tmp, dir) = named_dir("ledger");
    copy_tree(&fixture("analyze/02-gha-helm-tags"), &dir);
    assert_code(&migrate(&dir, &["--write"]), 0);
    let guide = read(&dir, "MIGRATION.md");
    insta::assert_snapshot!("migrate_guide_02-gha-helm-tags", guide);
    let again = migrate(&dir, &["--write"]);
    assert_code(&again, 0);
    assert_eq!(
        read(&dir, "MIGRATION.md"),
        guide,
        "the second run keeps the guide"
    );
}

#[test]
fn an_existing_model_is_never_replaced() {
    let (_tmp, dir) = named_dir("02-gha-helm-tags");
    copy_tree(&fixture("analyze/02-gha-helm-tags"), &dir);
    write(&dir, "gitops-gen.yaml", "# ours\n");
    let out = migrate(&dir, &["--write"]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("keep gitops-gen.yaml (yours"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&dir, "gitops-gen.yaml"), "# ours\n");
}

/// `$CI_DEFAULT_BRANCH` is the branch the repository's default is: `master` here.
#[test]
fn the_default_branch_is_the_repository_s() {
    let (_tmp, dir) = named_dir("maps");
    copy_tree(&fixture("analyze/33-gitlab-kustomize-layout"), &dir);
    git_repo_on(&dir, "master", None);
    assert_code(&migrate(&dir, &["--write"]), 0);
    let draft = read(&dir, "gitops-gen.yaml");
    assert!(
        draft.contains(
            "is the default branch: `master` here\n  - name: staging\n    branches: master\n"
        ),
        "{draft}"
    );
}

/// A Jenkins repository: the new pipelines run where `--ci` says, and the operator tree moves
/// out of the way of the `clusters/` the repository already has.
#[test]
fn the_target_ci_and_a_free_folder_for_the_tree() {
    let (_tmp, dir) = named_dir("svc");
    copy_tree(&fixture("analyze/38-jenkins-scripted"), &dir);
    std::fs::create_dir_all(dir.join("clusters/prod")).expect("mkdir");
    assert_code(&migrate(&dir, &["--ci", "gitlab", "--write"]), 0);
    let draft = read(&dir, "gitops-gen.yaml");
    assert!(
        draft.contains("# chosen with --ci\nci: gitlab\n"),
        "{draft}"
    );
    assert!(
        draft.contains("generated tree goes here\n  path: gitops\n"),
        "{draft}"
    );
    let guide = read(&dir, "MIGRATION.md");
    assert!(guide.contains("flux bootstrap gitlab"), "{guide}");
    assert!(guide.contains("--path=gitops/clusters/"), "{guide}");
}

/// A pipeline the analysis cannot read is named, not dropped: the draft has a gap there.
#[test]
fn files_the_analysis_could_not_read_are_named() {
    let (_tmp, dir) = named_dir("broken");
    copy_tree(&fixture("analyze/13-gha-broken-yaml"), &dir);
    let out = migrate(&dir, &[]);
    assert_code(&out, 0);
    let said = stderr(&out);
    assert!(
        said.contains("not read") && said.contains(".github/workflows/"),
        "{said}"
    );
}

/// A repository that already runs Argo CD gets `operator: argocd` and the address Argo CD clones,
/// from the `origin` remote; the same repository without a remote gets a question instead.
#[test]
fn migrate_keeps_the_operator_the_repository_already_runs() {
    let (_tmp, dir) = named_dir("payments");
    copy_tree(&fixture("analyze/15-gha-argocd-sync"), &dir);
    git_repo(&dir, Some("git@github.com:acme/payments.git"));
    assert_code(&migrate(&dir, &["--write"]), 0);
    let text = read(&dir, "gitops-gen.yaml");
    assert!(
        text.contains("# the repository already has Argo CD objects (Application argocd/payments-prod.yaml:1)\noperator: argocd\n"),
        "{text}"
    );
    assert!(
        text.contains("url: \"https://github.com/acme/payments.git\""),
        "{text}"
    );

    let (_tmp, bare) = named_dir("payments");
    copy_tree(&fixture("analyze/15-gha-argocd-sync"), &bare);
    git_repo(&bare, None);
    assert_code(&migrate(&bare, &["--write"]), 0);
    let text = read(&bare, "gitops-gen.yaml");
    assert!(text.contains("operator: argocd"), "{text}");
    assert!(
        text.contains("# TODO(migrate): set `gitops.url` to the address the operator clones"),
        "{text}"
    );
    assert!(!text.contains("gitops:"), "{text}");
}

/// The CI secrets an old deploy hands to the cluster become `secrets.from_ci` of the draft,
/// per environment, and `--write` generates the one-shot seal workflow that carries them.
#[test]
fn ci_secrets_of_the_old_deploys_become_the_seal_workflow() {
    let (_tmp, dir) = named_dir("shop");
    git_repo(&dir, None);
    write(
        &dir,
        ".github/workflows/deploy.yml",
        "on: {push: {branches: [main]}}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    \
         environment: production\n    steps:\n      - uses: actions/checkout@v4\n      \
         - run: kubectl create secret generic db -n shop --from-literal=password=${{ secrets.DB_PASSWORD }}\n      \
         - run: kubectl apply -n shop -f k8s/\n",
    );
    write(
        &dir,
        "k8s/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  template:\n    \
         spec:\n      containers:\n        - name: shop\n          image: ghcr.io/acme/shop:1\n",
    );
    write(&dir, "Dockerfile", "FROM scratch\n");
    let out = migrate(&dir, &["--write"]);
    assert_code(&out, 0);
    let model = read(&dir, "gitops-gen.yaml");
    assert!(
        model.contains("from_ci:") && model.contains("from: DB_PASSWORD"),
        "{model}"
    );
    let workflow = read(&dir, ".github/workflows/gitops-seal-secrets.yml");
    assert!(
        workflow.contains("--name db --from-env password=DB_PASSWORD"),
        "{workflow}"
    );
    let guide = read(&dir, "MIGRATION.md");
    assert!(
        guide.contains("### CI secrets the old deploys hand to the cluster")
            && guide.contains(
                "`gitops-gen seal --env production --name db --from-env password=DB_PASSWORD`"
            ),
        "{guide}"
    );
}
