export {
  parseMessageInput,
  messageRecipients,
  sendEventMessage,
  fanOutMessage,
  previewMessage,
  eventMessagesWithProgress,
  eventMessageById,
  type MessageInput,
  type EventMessage,
  type MessageWithProgress,
} from './messages.service';
