// A chat page: one data channel to the server, which relays messages to the other pages.
import { connectSignaling } from '/shared/signaling.js';

const $ = (id) => document.getElementById(id);
const pc = new RTCPeerConnection();
window.pc = pc;
const channel = pc.createDataChannel('chat');
window.channel = channel;
connectSignaling(pc);

const show = (from, text) => {
  const line = document.createElement('div');
  line.textContent = `${from}: ${text}`;
  $('log').append(line);
  $('log').scrollTop = $('log').scrollHeight;
};
channel.onopen = () => {
  $('status').textContent = 'connected';
};
channel.onmessage = ({ data }) => {
  const { from, text } = JSON.parse(data);
  show(from, text);
};
$('chat').onsubmit = (event) => {
  event.preventDefault();
  const text = $('message').value;
  if (text === '' || channel.readyState !== 'open') return;
  channel.send(JSON.stringify({ from: $('name').value, text }));
  show('you', text);
  $('message').value = '';
};
