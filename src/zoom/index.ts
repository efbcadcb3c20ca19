/** The Zoom domain as other folders see it. */
export { followJoinLinkToZoom, personalZoomLink } from './join.service';
export {
  checkZoomSession,
  createOnZoom,
  linkToZoom,
  unlinkZoom,
  moveOnZoom,
  zoomLinkInput,
  zoomTiming,
  type ZoomCheck,
} from './link.service';
export { syncEventRegistrants, retryDelaySeconds, type SyncOutcome, type ZoomDeps } from './sync.service';
export { zoomRegistrantOf, zoomDataOf, scrubZoomData, type ZoomRegistrantRecord } from './zoom.queries';
export { receiveZoomWebhook, type ZoomWebhook } from './webhook.service';
export { importZoomCsv, pullZoomReport, type AttendanceOutcome } from './attendance.service';
