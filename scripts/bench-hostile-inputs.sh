#!/usr/bin/env bash
# Benchmark: hostile inputs (issue 8 §2 and §3). Generates each input in a temporary directory,
# runs gitops-gen on it under `/usr/bin/time -v` with a time limit, and prints one line per
# input: wall seconds, peak RSS in MB, exit code, and the first line of output that names the
# limit or the skip (the diagnostic a user would see). The goal for each: a clear diagnostic in
# under 1 s and 100 MB.
# Each run is killed after TIMEOUT_S seconds and may use at most MEM_CAP_MB of address space
# (`ulimit -v`), so a regression cannot take the machine down: an input that hits the cap shows
# exit 134 (allocation failure) and a peak near the cap.
# Usage: scripts/bench-hostile-inputs.sh [BINARY=target/release/gitops-gen] [TIMEOUT_S=120]
#        [MEM_CAP_MB=4096]
# Needs python3 (to generate inputs) and GNU time at /usr/bin/time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-}
limit=${2:-120}
mem_cap_mb=${3:-4096}
if [ -z "$bin" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  bin="$root/target/release/gitops-gen"
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# gen NAME PYTHON: runs PYTHON with the input directory as the working directory.
gen() {
  mkdir -p "$work/$1"
  (cd "$work/$1" && python3 -c "$2")
}

# measure LABEL DIR GREP COMMAND...: runs COMMAND in input directory DIR, prints the figures
# and the first output line matching GREP (a regex).
measure() {
  local name=$1 dir="$work/$2" pattern=$3
  shift 3
  local rc=0
  (cd "$dir" && ulimit -v $((mem_cap_mb * 1024)) && timeout -s KILL "$limit" /usr/bin/time -v -o "$work/time.txt" "$@" \
    >"$work/out.txt" 2>"$work/err.txt") || rc=$?
  local wall rss
  if grep -q "Elapsed" "$work/time.txt" 2>/dev/null; then
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt" |
      awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
    rss=$((rss / 1024))
  else
    wall=">$limit"
    rss="?"
  fi
  local said
  said=$(cat "$work/out.txt" "$work/err.txt" | grep -a -E -m1 -- "$pattern" | cut -c1-150 || true)
  printf '%-24s %8ss %6s MB  exit %-3s %s\n' "$name" "$wall" "$rss" "$rc" "${said:-(no matching line)}"
  : >"$work/time.txt"
}

# 1. One 100 KB anchored string repeated through aliases (116 KB file).
gen alias-bytes '
s = "echo " + "A" * 100_000
lines = ["deploy:", "  script:", "    - &a \"" + s + "\""]
lines += ["    - *a"] * 1800
open(".gitlab-ci.yml", "w").write("\n".join(lines) + "\n")
'
# 2. `!reference` fan-out: 16 levels, each a 4 KB line and 10 references to the level below.
gen reference-fanout '
out = []
for level in range(16):
    out.append(f".l{level}:")
    out.append("  script:")
    out.append("    - echo " + chr(ord("a") + level) * 4096)
    if level:
        out += [f"    - !reference [.l{level - 1}, script]"] * 10
for job in range(8):
    out += [f"job{job}:", "  script:", "    - !reference [.l15, script]", "    - kubectl apply -f k8s/"]
open(".gitlab-ci.yml", "w").write("\n".join(out) + "\n")
'
# 3. Deploy steps in one workflow: 4k, 8k, 16k and 33k steps (the last about 2 MB).
for n in 4000 8000 16000 33000; do
  gen "steps-$n" "
import os
os.makedirs('.github/workflows')
lines = ['on: push', 'jobs:', '  deploy:', '    runs-on: ubuntu-latest', '    steps:']
for i in range($n):
    lines.append(f'      - run: kubectl apply -f k8s/{i}.yaml')
open('.github/workflows/deploy.yml', 'w').write(chr(10).join(lines) + chr(10))
"
done
# 4. gitops-gen.yaml that is not a small regular file.
mkdir -p "$work/model-dev-zero" "$work/model-fifo" "$work/model-sparse"
ln -s /dev/zero "$work/model-dev-zero/gitops-gen.yaml"
mkfifo "$work/model-fifo/gitops-gen.yaml"
truncate -s 1G "$work/model-sparse/gitops-gen.yaml"
# 5. Repository files that cannot be analysed, next to one that can.
gen skipped-files '
import os
os.makedirs(".github/workflows")
open(".github/workflows/big.yml", "w").write("on: push\n" + "#" * (3 * 1024 * 1024) + "\n")
open(".gitlab-ci.yml", "wb").write(b"\x00\x01\x02binary\xff\xfe")
secret = b"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n"
open(b"secret-caf\xe9.yaml", "wb").write(secret)
'
# 6. A monorepo of 100,000 files whose Jenkinsfiles sort last.
gen monorepo '
import os
for d in range(100):
    os.makedirs(f"pkg{d:03}/src")
    for f in range(999):
        open(f"pkg{d:03}/src/f{f}.txt", "w").close()
for j in range(100):
    os.makedirs(f"zz/svc{j}", exist_ok=True)
    open(f"zz/svc{j}/Jenkinsfile", "w").write("pipeline { agent any\n stages { stage(\"d\") { steps { sh \"kubectl apply -f k8s/\" } } } }\n")
'
# 7. Shared-shell lines that each set a different variable (GitLab; 80,000 lines is about 2 MB),
#    and GitHub steps that each write a different variable to $GITHUB_ENV on one branch.
for n in 10000 80000; do
  gen "carried-$n" "
lines = ['deploy:', '  environment: production', '  script:']
lines += [f'    - V{i}=value{i}' for i in range($n)]
lines.append('    - kubectl apply -n \$V1 -f k8s/')
open('.gitlab-ci.yml', 'w').write(chr(10).join(lines) + chr(10))
"
done
for n in 5000 20000; do
  gen "on-branch-$n" "
import os
os.makedirs('.github/workflows')
lines = ['on: push', 'jobs:', '  deploy:', '    runs-on: ubuntu-latest', '    steps:']
for i in range($n):
    lines.append(f'      - run: if [ \"\$GITHUB_REF_NAME\" = main ]; then echo \"C{i}=prod\" >> \"\$GITHUB_ENV\"; fi')
lines.append('      - run: kubectl apply -n \$C1 -f k8s/')
open('.github/workflows/deploy.yml', 'w').write(chr(10).join(lines) + chr(10))
"
done
# 8. A Jenkinsfile that sets one variable on 5,000 branches and copies it to 20,000 others.
gen per-branch-copies '
lines = ["def b = \"\"", "node {"]
lines += [f"  if (env.BRANCH_NAME == \"x{i}\") {{ b = \"v{i}\" }}" for i in range(5000)]
lines += [f"  env.A{i} = b" for i in range(20000)]
lines += ["  sh \"kubectl apply -n $b -f k8s/\"", "}"]
open("Jenkinsfile", "w").write("\n".join(lines) + "\n")
'
# 9. A GitLab job with 10,000 variables named for an environment and 10,000 deploy lines.
gen env-variables '
lines = ["deploy:", "  variables:"]
lines += [f"    ENV_{i}: e{i}" for i in range(10000)]
lines += ["  script:"] + [f"    - kubectl apply -f k8s/{i}.yaml" for i in range(10000)]
open(".gitlab-ci.yml", "w").write("\n".join(lines) + "\n")
'
# 10. Make variables that each name the one below 500 times (500^3 copies if expanded), run by
# 2,000 `make` lines; and empty ones twelve deep (no bytes, 200^12 references).
gen make-expansion '
mk = ["A0 = " + "x" * 64, "E0 ="]
for level in range(1, 4):
    mk.append(f"A{level} = " + f"$(A{level - 1})" * 500)
for level in range(1, 13):
    mk.append(f"E{level} = " + f"$(E{level - 1})" * 200)
mk += ["deploy:", "\tkubectl apply -n $(A3) -f k8s/ -l $(E12)"]
open("Makefile", "w").write("\n".join(mk) + "\n")
lines = ["deploy:", "  script:"] + ["    - make deploy"] * 2000
open(".gitlab-ci.yml", "w").write("\n".join(lines) + "\n")
'
# 10b. A recipe line of make functions nested 200,000 deep (`$(or $(or ... x ...))`).
gen make-nesting '
d = 200_000
open("Makefile", "w").write("deploy:\n\tkubectl apply -n " + "$(or " * d + "x" + ")" * d + " -f k8s/\n")
open(".gitlab-ci.yml", "w").write("deploy:\n  script:\n    - make deploy\n")
'
# 10c. A target with 100,000 rules, each naming another prerequisite.
gen make-prerequisites '
open("Makefile", "w").write("".join(f"deploy: p{i}\n" for i in range(100_000)))
open(".gitlab-ci.yml", "w").write("deploy:\n  script:\n    - make deploy\n")
'
# 11. A target whose recipe is 20,000 deploy lines (one rule, or 20,000 rules of the same
# target), run by 50 `make` lines: every `make` reads the recipe again (a known gap:
# docs/performance.md, "Not there yet").
gen make-recipe '
open("Makefile", "w").write("deploy:\n" + "".join(f"\tkubectl apply -f k8s/{i}.yaml\n" for i in range(20000)))
open(".gitlab-ci.yml", "w").write("deploy:\n  script:\n" + "    - make deploy\n" * 50)
'
gen make-rules '
open("Makefile", "w").write("".join(f"deploy:\n\tkubectl apply -f k8s/{i}.yaml\n" for i in range(20000)))
open(".gitlab-ci.yml", "w").write("deploy:\n  script:\n" + "    - make deploy\n" * 50)
'
# 12. A workflow started by hand with 5,000 choice inputs and 5,000 jobs deploying to one
# environment; and a Bitbucket file of 5,000 custom pipelines with an environment choice each.
gen dispatch-inputs '
import os
n = 5000
lines = ["on:", "  workflow_dispatch:", "    inputs:"]
for i in range(n):
    lines += [f"      in_{i}:", "        type: choice", "        options: [a, b]"]
lines += ["jobs:"]
for i in range(n):
    lines += [f"  j{i}:", "    runs-on: ubuntu-latest", "    environment: production", "    steps:", f"      - run: kubectl apply -f k{i}/"]
os.makedirs(".github/workflows")
open(".github/workflows/w.yml", "w").write("\n".join(lines) + "\n")
'
gen custom-pipelines '
b = ["pipelines:", "  custom:"]
for i in range(5000):
    b += [f"    deploy-env-{i}:", "      - variables:", "          - name: ENVIRONMENT", "            allowed-values: [dev, prod]", "      - step:", "          script:", f"            - kubectl apply -f k{i}/"]
open("bitbucket-pipelines.yml", "w").write("\n".join(b) + "\n")
'
# 13. A package.json of about 1.9 MiB (20,000 scripts) run by 10,000 `npm run` lines, and
# `lerna run` over 500 packages: each run parses the package.json, so each is charged to the
# budget of called bytes, and lerna reads at most 64 packages.
gen package-scripts '
import json
scripts = {f"s{i}": f"kubectl apply -f k8s/{i}.yaml --namespace shop-{i}" for i in range(20000)}
scripts["deploy"] = "helm upgrade --install web ./chart -n shop"
open("package.json", "w").write(json.dumps({"name": "x", "scripts": scripts}, indent=2))
open(".gitlab-ci.yml", "w").write("deploy:\n  script:\n" + "    - npm run deploy\n" * 10000)
'
gen lerna-packages '
import json, os
for i in range(500):
    os.makedirs(f"packages/p{i}", exist_ok=True)
    open(f"packages/p{i}/package.json", "w").write(json.dumps({"scripts": {"deploy": f"kubectl apply -f k8s/ -n p{i}"}}))
open(".gitlab-ci.yml", "w").write("deploy:\n  script:\n    - npx lerna run deploy\n")
'
gen unread-scripts '
# One job of 28,000 scripts the repository does not hold, each named for deploying: each is a
# deploy step found by its name, looked up once per command.
lines = ["deploy:", "  script:"] + [f"    - ./platform/bin/deploy-eks-{i}" for i in range(28000)]
open(".gitlab-ci.yml", "w").write("\n".join(lines) + "\n")
'
# 14. A Jenkinsfile that declares a library and calls 60,000 distinct steps, 200 of which have a
# `vars/` file of 2,000 further calls each, and loads 300 paths inside 300 `dir` blocks: at
# most 16 step files and 16 loaded files are read, each name is looked for once.
gen library-steps '
import os
os.makedirs("vars")
calls = "\n".join(f"    step{i}(\"x\")" for i in range(60000))
dirs = "\n".join(f"    dir(\"d{i}\") {{ def o{i} = load \"f{i}.groovy\"; o{i}.run() }}" for i in range(300))
open("Jenkinsfile", "w").write("@Library(\"lib\") _\nnode {\n  stage(\"d\") {\n" + calls + "\n" + dirs + "\n  }\n}\n")
for i in range(200):
    body = "\n".join(f"  more{i}_{j}()" for j in range(2000))
    open(f"vars/step{i}.groovy", "w").write("def call(String x) {\n  sh \"kubectl apply -n ns" + str(i) + " -f k8s/\"\n" + body + "\n}\n")
for i in range(300):
    os.makedirs(f"d{i}", exist_ok=True)
    open(f"d{i}/f{i}.groovy", "w").write("def run() { sh \"helm upgrade --install r ./chart -n n" + str(i) + "\" }\nreturn this\n")
'
# 15. One job of 20,000 library steps named for deploying, inside `container('helm')` blocks:
# each step's container and its library-step check are found once, not by a scan of the job.
gen container-steps '
blocks = []
for b in range(200):
    calls = "\n".join(f"        deployApp{b}_{i}(\"x\")" for i in range(100))
    blocks.append("      container(\"helm\") {\n" + calls + "\n      }")
open("Jenkinsfile", "w").write("@Library(\"lib\") _\nnode {\n  stage(\"d\") {\n" + "\n".join(blocks) + "\n  }\n}\n")
'
# 16. A Jenkinsfile 150 folders deep that declares a library and calls 50,000 capitalised
# steps: each is looked for in two `vars/` folders (its own and the root's), not in every
# folder above it.
gen library-calls '
import os
deep = "/".join(f"d{i}" for i in range(150))
os.makedirs(deep, exist_ok=True)
calls = "\n".join(f"  Step{i}()" for i in range(50000))
open(deep + "/Jenkinsfile", "w").write("@Library(\"x\") _\nnode {\n" + calls + "\n}\n")
'

# 17. One GitHub step of 20,000 assignments, each written to `$GITHUB_OUTPUT` as a lone
# variable, with an `if` around every tenth pair: a write reads the variable's last assignment
# and whether it runs under an `if` once per command, not by walking the script again (14 s
# for 10,000 pairs before).
gen github-writes '
import os
os.makedirs(".github/workflows", exist_ok=True)
lines = []
for i in range(20000):
    pair = [f"V=ns{i}", f"echo \"k{i}=$V\" >> \"$GITHUB_OUTPUT\""]
    if i % 10 == 0:
        pair = ["if [ -n \"$X\" ]; then"] + pair + ["fi"]
    lines += pair
body = "\n".join("          " + l for l in lines)
open(".github/workflows/w.yml", "w").write(
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - id: s\n"
    "        run: |\n" + body + "\n      - run: kubectl apply -n x -f k8s/\n")
'

# A step that expands one 64-word array 30,000 times (`printf "${A[@]}"`): a script expands at
# most 256 KB of array values in all, so its words grow with its length, not its length times
# the array's (about 60 MB of words without that bound).
gen array-expansions '
import os
os.makedirs(".github/workflows", exist_ok=True)
words = " ".join(f"word-{i:02d}-" + "x" * 24 for i in range(64))
lines = [f"A=({words})"] + ["printf \"${A[@]}\""] * 30000
body = "\n".join("          " + l for l in lines)
open(".github/workflows/w.yml", "w").write(
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: |\n" + body + "\n      - run: kubectl apply -n x -f k8s/\n")
'

# A setup job that picks one of 2,000 environments by branch (`if`/`elif` on the ref, then one
# write to `$GITHUB_OUTPUT`), and 2,000 jobs that declare `environment: ${{
# needs.pick.outputs.environment }}`: an output handed on under more than 64 conditions is not
# expanded (33 s and 4 GB before that bound), one under 64 is, for each job.
gen handed-outputs '
import os
os.makedirs(".github/workflows", exist_ok=True)
lines = []
for i in range(2000):
    lines += [("if" if i == 0 else "elif") + f" [ \"$GITHUB_REF\" = \"refs/heads/b{i}\" ]; then", f"  ENV=v{i}"]
lines += ["fi", "echo \"environment=$ENV\" >> \"$GITHUB_OUTPUT\""]
body = "\n".join("          " + l for l in lines)
jobs = "".join(
    f"  d{j}:\n    needs: pick\n    runs-on: ubuntu-latest\n"
    "    environment: ${{ needs.pick.outputs.environment }}\n"
    "    steps:\n      - run: kubectl apply -f k8s/\n"
    for j in range(2000))
open(".github/workflows/w.yml", "w").write(
    "on: push\njobs:\n  pick:\n    runs-on: ubuntu-latest\n    outputs:\n"
    "      environment: ${{ steps.s.outputs.environment }}\n    steps:\n      - id: s\n"
    "        run: |\n" + body + "\n" + jobs)
'

printf '%-24s %9s %9s  %-8s %s\n' input time "peak RSS" exit "diagnostic"
measure alias-bytes alias-bytes 'alias expansion|limit of' "$bin" --color never analyze .
measure reference-fanout reference-fanout 'reference|limit' "$bin" --color never analyze .
for n in 4000 8000 16000 33000; do
  measure "steps-$n (json)" "steps-$n" '"deploy_steps": [0-9]' \
    "$bin" --color never analyze . --format json
done
for n in 4000 8000 16000 33000; do
  measure "steps-$n (text)" "steps-$n" 'deploy step' "$bin" --color never analyze .
done
for kind in dev-zero fifo sparse; do
  measure "model-$kind" "model-$kind" 'gitops-gen.yaml' "$bin" --color never generate --dry-run
done
measure skipped-files skipped-files 'skip|larger|utf-8|binary|read' "$bin" --color never analyze .
measure monorepo monorepo 'deploy step' "$bin" --color never analyze .
for n in 10000 80000; do
  measure "carried-$n" "carried-$n" '"deploy_steps": [0-9]' "$bin" --color never analyze . --format json
done
for n in 5000 20000; do
  measure "on-branch-$n" "on-branch-$n" '"deploy_steps": [0-9]' "$bin" --color never analyze . --format json
done
measure per-branch-copies per-branch-copies 'jenkins-limit' "$bin" --color never analyze .
measure env-variables env-variables '"deploy_steps": [0-9]' "$bin" --color never analyze . --format json
measure make-expansion make-expansion 'script-limit' "$bin" --color never analyze .
measure make-nesting make-nesting 'script-limit' "$bin" --color never analyze .
measure make-prerequisites make-prerequisites 'script-limit' "$bin" --color never analyze .
measure make-recipe make-recipe '"deploy_steps": [0-9]' "$bin" --color never analyze . --format json
measure make-rules make-rules '"deploy_steps": [0-9]' "$bin" --color never analyze . --format json
measure dispatch-inputs dispatch-inputs '"deploy_steps": [0-9]' "$bin" --color never analyze . --format json
measure custom-pipelines custom-pipelines '"deploy_steps": [0-9]' "$bin" --color never analyze . --format json
measure package-scripts package-scripts 'script-limit' "$bin" --color never analyze .
measure lerna-packages lerna-packages 'script-limit' "$bin" --color never analyze .
measure unread-scripts unread-scripts '"deploy_steps": [0-9]' "$bin" --color never analyze . --format json
measure library-steps library-steps '"deploy_steps": [0-9]' "$bin" --color never analyze . --format json
measure container-steps container-steps '"deploy_steps": [0-9]' "$bin" --color never analyze . --format json
measure library-calls library-calls '"deploy_steps": [0-9]' "$bin" --color never analyze . --format json
measure github-writes github-writes '"deploy_steps": [0-9]' "$bin" --color never analyze . --format json
measure array-expansions array-expansions '"deploy_steps": [0-9]' "$bin" --color never analyze . --format json
measure handed-outputs handed-outputs "more than the 64|\"deploy_steps\": [0-9]" "$bin" --color never analyze . --format json
