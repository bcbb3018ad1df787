"""Optional: check out by showing the badge to the tablet's camera.

Needs Qt Multimedia, which ships in PySide6-Addons (``pip install 'lobby-kiosk[camera]'``). Without
it, or without a camera, ``CameraScanner.create`` returns None and the kiosk offers the typed code
only. Frames are decoded in a worker, one at a time, a few times a second; the decoder sees only
the QR, and nothing from the camera is stored.
"""

from __future__ import annotations

import logging
from typing import Any

from PIL import Image
from PySide6.QtCore import QElapsedTimer, QObject, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from kiosk.qrdecode import decode_image
from kiosk.tokens import PREFIX
from ui.workers import Workers

log = logging.getLogger(__name__)
SCAN_INTERVAL_MS = 300


def qimage_to_pil(image: QImage) -> Image.Image:
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
    data = bytes(grey.constBits())
    return Image.frombuffer("L", (width, height), data, "raw", "L", stride, 1).copy()


def scan_frame(image: QImage) -> str | None:
    """The first badge token visible in a camera frame, if any."""
    texts = decode_image(qimage_to_pil(image))
    return next((text for text in texts if text.startswith(PREFIX)), None)


class CameraScanner(QObject):
    found = Signal(str)

    def __init__(self, camera: Any, session: Any, viewfinder: QWidget, workers: Workers) -> None:
        super().__init__()
        self._camera = camera
        self._session = session
        self.viewfinder = viewfinder
        self._workers = workers
        self._busy = False
        self._clock = QElapsedTimer()
        self._clock.start()
        viewfinder.videoSink().videoFrameChanged.connect(self._on_frame)  # type: ignore[attr-defined]

    @classmethod
    def create(cls, workers: Workers) -> CameraScanner | None:
        try:
            from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QMediaDevices
            from PySide6.QtMultimediaWidgets import QVideoWidget
        except ImportError:
            log.info("no Qt Multimedia (install the 'camera' extra); check-out by code only")
            return None
        devices = QMediaDevices.videoInputs()
        if not devices:
            log.info("no camera found; check-out by code only")
            return None
        camera = QCamera(devices[0])
        session = QMediaCaptureSession()
        session.setCamera(camera)
        viewfinder = QVideoWidget()
        viewfinder.setFixedSize(480, 270)
        session.setVideoOutput(viewfinder)
        return cls(camera, session, viewfinder, workers)

    def start(self) -> None:
        self._camera.start()

    def stop(self) -> None:
        self._camera.stop()

    def _on_frame(self, frame: Any) -> None:
        if self._busy or self._clock.elapsed() < SCAN_INTERVAL_MS:
            return
        self._clock.restart()
        image = frame.toImage()
        if image.isNull():
            return
        self._busy = True
        self._workers.submit(lambda: scan_frame(image), self._on_scanned, self._on_scan_failed)

    def _on_scanned(self, token: str | None) -> None:
        self._busy = False
        if token:
            self.found.emit(token)

    def _on_scan_failed(self, error: BaseException) -> None:
        self._busy = False
        log.warning("camera frame could not be scanned: %s", type(error).__name__)
