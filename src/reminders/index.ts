export { queueDueMails } from './send-reminders.job';
export { dueTopics, reminderTopic, followUpTopic, FOLLOW_UP_WINDOW_DAYS, type DueTopic } from './schedule';
export {
  unsubscribe,
  resubscribe,
  unsubscribeState,
  unsubscribeByLink,
  resubscribeByLink,
  type UnsubscribeState,
} from './unsubscribe.service';
