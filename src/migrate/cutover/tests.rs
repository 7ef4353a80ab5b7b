use super::resume;

const MODEL: &str = "\
version: 1
environments:
  - name: staging
    branches: develop
    # Flux leaves this environment alone: the old pipeline deploys it until `gitops-gen migrate --phase cutover --env staging`
    suspended: true
  # the production comment stays
  - name: production
    branches: main
    suspended: true
apps:
  - name: web
";

#[test]
fn resuming_removes_the_line_and_its_note_only() -> Result<(), String> {
    let out = resume(MODEL, "staging", false)?.ok_or("no edit")?;
    assert_eq!(
        out,
        MODEL.replace(
            "    # Flux leaves this environment alone: the old pipeline deploys it until `gitops-gen migrate --phase cutover --env staging`\n    suspended: true\n",
            ""
        )
    );
    assert_eq!(
        resume(&out, "staging", false)?,
        None,
        "a second cutover edits nothing"
    );
    let production = resume(&out, "production", false)?.ok_or("no edit")?;
    assert!(
        production.contains(
            "  # the production comment stays\n  - name: production\n    branches: main\napps:"
        ),
        "{production}"
    );
    Ok(())
}

#[test]
fn environments_are_cut_over_lowest_first_unless_forced() -> Result<(), String> {
    let refused = resume(MODEL, "production", false).err().unwrap_or_default();
    assert!(refused.contains("cut over `staging` first"), "{refused}");
    assert!(resume(MODEL, "production", true)?.is_some());
    let unknown = resume(MODEL, "qa", false).err().unwrap_or_default();
    assert!(unknown.contains("no environment `qa`"), "{unknown}");
    let first = resume(
        "environments:\n  - suspended: true\n    name: a\n",
        "a",
        false,
    )
    .err()
    .unwrap_or_default();
    assert!(first.contains("move `name:` first"), "{first}");
    Ok(())
}
