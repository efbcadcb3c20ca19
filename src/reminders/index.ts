export { queueDueMails } from './send-reminders.job';
export { dueTopics, reminderTopic, followUpTopic, type DueTopic } from './schedule';
export { topicTallies } from './reminders.queries';
