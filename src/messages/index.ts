export {
  parseMessageInput,
  messageRecipients,
  sendEventMessage,
  fanOutMessage,
  fanOutUnfinishedMessages,
  eventMessagesWithProgress,
  eventMessageById,
  type MessageInput,
  type EventMessage,
  type MessageWithProgress,
} from './messages.service';
