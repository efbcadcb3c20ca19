export { queueDueMails } from './send-reminders.job';
export { dueTopics, reminderTopic, followUpTopic, FOLLOW_UP_WINDOW_DAYS, type DueTopic } from './schedule';
export { topicTallies } from './reminders.queries';
export { unsubscribe, resubscribe } from './unsubscribe.service';
