export {
  parseMessageInput,
  messageRecipients,
  sendEventMessage,
  fanOutMessage,
  fanOutUnfinishedMessages,
  previewMessage,
  eventMessagesWithProgress,
  eventMessageById,
  type MessageInput,
  type EventMessage,
  type MessageWithProgress,
} from './messages.service';
