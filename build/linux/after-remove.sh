#!/bin/sh
# .deb post-remove: take back the device access rules after-install.sh put in place.
set -e
rm -f /usr/lib/udev/rules.d/70-plantdesk-devices.rules
if command -v udevadm >/dev/null 2>&1; then
  udevadm control --reload-rules || true
  udevadm trigger --subsystem-match=tty --subsystem-match=hidraw --subsystem-match=usbmisc || true
fi
