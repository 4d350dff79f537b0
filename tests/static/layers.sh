#!/usr/bin/env bash
# layers.sh — every #include "folder/file.h" in bot/ names its own folder or
# one above it in the table of bot/README.md (TAP, one line per folder).
set -uo pipefail
cd "$(dirname "$0")/../.."

declare -A layer=()
while IFS='|' read -r _ n folder _; do
	n=${n// /}
	folder=$(sed 's/[ `/]//g' <<<"$folder")
	[[ $n =~ ^[0-9]+$ ]] && layer[$folder]=$n
done < bot/README.md

count=0
fail() { echo "not ok $count - $1"; shift; printf '#   %s\n' "$@"; }
check_folder() {	# folder, its layer, files
	local folder=$1 mine=$2 f inc dir bad=()
	shift 2
	for f in "$@"; do
		while IFS= read -r inc; do
			dir=${inc%%/*}
			if [[ $inc != */* ]]; then
				bad+=("$f: #include \"$inc\" names no folder")
			elif [[ -z ${layer[$dir]:-} ]]; then
				bad+=("$f: #include \"$inc\": folder $dir is not in bot/README.md")
			elif ((layer[$dir] > mine)); then
				bad+=("$f: #include \"$inc\": $dir (layer ${layer[$dir]}) is above $folder (layer $mine)")
			fi
		done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
	done
	count=$((count + 1))
	if ((${#bad[@]})); then
		fail "$folder/ includes only folders at or below layer $mine" "${bad[@]}"
	else
		echo "ok $count - $folder/ includes only folders at or below layer $mine"
	fi
}

# Every folder of bot/ is in the table, and the table names no missing folder.
for d in bot/*/; do
	d=${d#bot/}; d=${d%/}
	count=$((count + 1))
	if [[ -n ${layer[$d]:-} ]]; then echo "ok $count - bot/$d/ has a layer"
	else fail "bot/$d/ has a layer" "add it to the table in bot/README.md"; fi
done
for d in "${!layer[@]}"; do
	[[ $d == main.c || -d bot/$d ]] && continue
	count=$((count + 1))
	fail "bot/README.md names folders that exist" "$d/ is in the table but not in bot/"
done

for d in "${!layer[@]}"; do
	[[ $d == main.c ]] && continue
	shopt -s nullglob
	files=(bot/"$d"/*.[ch])
	check_folder "$d" "${layer[$d]}" "${files[@]}"
done
check_folder main.c "${layer[main.c]}" bot/main.c

# Issue 15: the pipeline takes the fetched bytes as mime/'s struct mail_raw,
# so what a mail does (desk/) knows nothing of how it was fetched.
count=$((count + 1))
mapfile -t hits < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"imap/' bot/desk/*.[ch])
if ((${#hits[@]})); then
	fail "desk/ includes nothing of imap/" "${hits[@]}"
else
	echo "ok $count - desk/ includes nothing of imap/"
fi
echo "1..$count"
