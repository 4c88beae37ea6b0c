#!/bin/sh
# .deb post-install: device access rules (see 70-plantdesk-devices.rules) take effect without a reboot.
set -e
install -m 0644 /opt/PlantDesk/resources/udev/70-plantdesk-devices.rules /usr/lib/udev/rules.d/70-plantdesk-devices.rules
if command -v udevadm >/dev/null 2>&1; then
  udevadm control --reload-rules || true
  udevadm trigger --subsystem-match=tty --subsystem-match=hidraw --subsystem-match=usbmisc || true
fi
