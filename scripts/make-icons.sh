#!/usr/bin/env bash
# Regenerates the app icons in src-tauri/icons/ (committed; run only to change them): a teal
# rounded square with 户 in white. Needs ImageMagick 6 (`apt-get install imagemagick`) and
# fonts-noto-cjk. Tauri wants RGBA PNGs (hence PNG32:) and an .ico for Windows builds.
set -euo pipefail
cd "$(dirname "$0")/../src-tauri/icons"
convert=/usr/bin/convert
[ -x "$convert" ] || convert=convert
"$convert" -size 1024x1024 xc:none -fill '#0f766e' -draw 'roundrectangle 64,64 959,959 180,180' \
  -font Noto-Sans-CJK-SC-Bold -pointsize 640 -fill white -gravity center -annotate +0+0 '户' \
  PNG32:master.png
for spec in 32x32:32 128x128:128 128x128@2x:256 icon:512; do
  name=${spec%%:*}; size=${spec##*:}
  "$convert" master.png -resize "${size}x${size}" PNG32:"$name.png"
done
"$convert" master.png -define icon:auto-resize=256,128,64,48,32,16 icon.ico
rm master.png
ls -l
