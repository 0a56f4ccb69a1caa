#!/usr/bin/env bash
# git_https_repo.sh DIR: makes DIR/repo.git, a bare repository with one commit
# (file "f" holding "hello"), ready for git's dumb HTTP protocol
# (update-server-info), so a static HTTPS server can serve clones.
set -eu
dir=$1
export GIT_CONFIG_NOSYSTEM=1 HOME=$dir
mkdir -p "$dir"
git init -q "$dir/work"
echo hello > "$dir/work/f"
git -C "$dir/work" add f
git -C "$dir/work" -c user.name=trustshim -c user.email=t@example.test commit -qm init
git clone -q --bare "$dir/work" "$dir/repo.git"
git -C "$dir/repo.git" update-server-info
