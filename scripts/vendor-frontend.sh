#!/usr/bin/env bash
# Copy the pinned GOV.UK Frontend and MOJ Frontend prebuilt files (package-lock.json) into
# lantern/web/static/vendor, where Django serves them. No Sass build: their dist/ is used as is.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
vendor=lantern/web/static/vendor
rm -rf "$vendor"
mkdir -p "$vendor/govuk/assets" "$vendor/moj/assets"
govuk=node_modules/govuk-frontend/dist/govuk
moj=node_modules/@ministryofjustice/frontend/moj
cp "$govuk"/govuk-frontend.min.css "$govuk"/govuk-frontend.min.js "$vendor/govuk/"
# The GDS Transport typeface is for services on GOV.UK only, and Lantern is not one: drop its
# @font-face rules so pages use the fallback (Arial, or the system sans-serif) and never ask
# for font files that are not there.
sed -i 's/@font-face{font-family:GDS Transport[^}]*}//g' "$vendor/govuk/govuk-frontend.min.css"
cp -r "$govuk/assets/images" "$vendor/govuk/assets/"
cp "$moj"/moj-frontend.min.css "$moj"/moj-frontend.min.js "$vendor/moj/"
cp -r "$moj/assets/images" "$vendor/moj/assets/"
for pkg in govuk-frontend @ministryofjustice/frontend; do
  node -p "require('./node_modules/$pkg/package.json').name + ' ' + require('./node_modules/$pkg/package.json').version"
done > "$vendor/VERSIONS"
echo "Vendored: $(tr '\n' ';' < "$vendor/VERSIONS")"
