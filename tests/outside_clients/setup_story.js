// The course's setup story, told by Twilio's own Node SDK (the `twilio` npm package) to the twin.
// Run by tests/test_outside_clients.py with --require redirect_to_twin.js; credentials from
// TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN. Prints one JSON line per step: {step, ok, detail};
// a step fails when the SDK throws or when what came back is not what Twilio documents.
'use strict';
const twilio = require('twilio');

const client = twilio(process.env.TWILIO_ACCOUNT_SID, process.env.TWILIO_AUTH_TOKEN);
const sip = client.api.v2010.account.sip;
const results = [];

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

async function step(name, body) {
  try {
    const detail = await body();
    results.push({ step: name, ok: true, detail: detail === undefined ? '' : String(detail) });
  } catch (error) {
    results.push({ step: name, ok: false, detail: `${error.status || ''} ${error.code || ''} ${error.message}` });
  }
}

async function refused(name, status, code, body) {
  await step(name, async () => {
    let caught = null;
    try {
      await body();
    } catch (error) {
      caught = error;
    }
    check(caught !== null, 'no error was raised');
    check(caught.status === status && caught.code === code,
      `expected ${status}/${code}, got ${caught.status}/${caught.code}: ${caught.message}`);
    check(caught.moreInfo && caught.moreInfo.includes(String(code)), `moreInfo ${caught.moreInfo}`);
    return `${caught.status} ${caught.code}`;
  });
}

async function main() {
  const s = {};
  const tag = `node-story-${process.pid}`;
  await step('account fetch (the usual credential check)', async () => {
    const account = await client.api.v2010.accounts(process.env.TWILIO_ACCOUNT_SID).fetch();
    check(account.sid === process.env.TWILIO_ACCOUNT_SID && account.status === 'active', JSON.stringify(account.toJSON()));
  });
  await step('credential list', async () => {
    s.cl = await sip.credentialLists.create({ friendlyName: `${tag} list` });
    check(/^CL[0-9a-f]{32}$/.test(s.cl.sid), s.cl.sid);
    return s.cl.sid;
  });
  await step('credential', async () => {
    s.cr = await sip.credentialLists(s.cl.sid).credentials.create({ username: 'ht801', password: 'NodeStory12345' });
    check(s.cr.username === 'ht801' && s.cr.credentialListSid === s.cl.sid, JSON.stringify(s.cr.toJSON()));
    check(!('password' in s.cr.toJSON()), 'the password came back');
    return s.cr.sid;
  });
  await step('IP access control list and address', async () => {
    s.al = await sip.ipAccessControlLists.create({ friendlyName: `${tag} acl` });
    s.ip = await sip.ipAccessControlLists(s.al.sid).ipAddresses.create(
      { friendlyName: 'router', ipAddress: '203.0.113.10', cidrPrefixLength: 32 });
    check(s.ip.cidrPrefixLength === 32 && s.ip.ipAccessControlListSid === s.al.sid, JSON.stringify(s.ip.toJSON()));
    return s.ip.sid;
  });
  await step('SIP domain with registration', async () => {
    s.sd = await sip.domains.create({ domainName: `${tag}.sip.twilio.com`, friendlyName: tag, sipRegistration: true,
      voiceUrl: 'https://handler.twilio.com/twiml/EH00000000000000000000000000000000', voiceMethod: 'POST' });
    check(s.sd.sipRegistration === true && s.sd.domainName === `${tag}.sip.twilio.com`, JSON.stringify(s.sd.toJSON()));
    return s.sd.sid;
  });
  await step('registration credential list mapping', async () => {
    const m = await sip.domains(s.sd.sid).auth.registrations.credentialListMappings.create({ credentialListSid: s.cl.sid });
    check(m.sid === s.cl.sid, m.sid);
  });
  await step('calls credential list mapping', async () => {
    const m = await sip.domains(s.sd.sid).auth.calls.credentialListMappings.create({ credentialListSid: s.cl.sid });
    check(m.sid === s.cl.sid, m.sid);
  });
  await step('calls IP ACL mapping', async () => {
    const m = await sip.domains(s.sd.sid).auth.calls.ipAccessControlListMappings.create({ ipAccessControlListSid: s.al.sid });
    check(m.sid === s.al.sid, m.sid);
    const domain = await sip.domains(s.sd.sid).fetch();
    check(domain.authType.includes('IP_ACL') && domain.authType.includes('CREDENTIAL_LIST'), domain.authType);
  });
  await step('trunk and origination URL', async () => {
    s.tk = await client.trunking.v1.trunks.create({ friendlyName: tag });
    s.ou = await client.trunking.v1.trunks(s.tk.sid).originationUrls.create({ friendlyName: 'domain', weight: 10,
      priority: 10, enabled: true, sipUrl: `sip:ht801@${tag}.sip.us1.twilio.com` });
    check(s.ou.trunkSid === s.tk.sid && s.ou.sipUrl.endsWith('.sip.us1.twilio.com'), JSON.stringify(s.ou.toJSON()));
    return s.ou.sid;
  });
  await step('number voice URL', async () => {
    const [number] = await client.incomingPhoneNumbers.list({ limit: 1 });
    check(number && /^\+\d+$/.test(number.phoneNumber), 'the account has no number');
    s.pn = number;
    const updated = await client.incomingPhoneNumbers(number.sid).update({ voiceUrl: 'https://example.com/inbound.xml',
      voiceMethod: 'GET' });
    check(updated.voiceUrl === 'https://example.com/inbound.xml' && updated.voiceMethod === 'GET',
      JSON.stringify(updated.toJSON()));
  });
  await step('a call with TwiML', async () => {
    s.ca = await client.calls.create({ to: '+14155550123', from: s.pn.phoneNumber,
      twiml: '<Response><Say>Hello from Node</Say></Response>' });
    check(/^CA[0-9a-f]{32}$/.test(s.ca.sid) && s.ca.to === '+14155550123', JSON.stringify(s.ca.toJSON()));
    const deadline = Date.now() + 30000;
    let call = s.ca;
    while (!['completed', 'failed', 'busy', 'no-answer', 'canceled'].includes(call.status) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      call = await client.calls(s.ca.sid).fetch();
    }
    check(call.status === 'completed' && call.startTime instanceof Date, `${call.status} ${call.startTime}`);
    return `${s.ca.sid} ${call.status}`;
  });
  await step('lists with filters and paging', async () => {
    for (let i = 0; i < 5; i += 1) {
      await sip.ipAccessControlLists(s.al.sid).ipAddresses.create({ friendlyName: `extra ${i}`, ipAddress: `198.51.100.${i + 1}` });
    }
    const all = await sip.ipAccessControlLists(s.al.sid).ipAddresses.list({ pageSize: 2 });
    check(all.length === 6, `${all.length} addresses`);
    const page1 = await sip.ipAccessControlLists(s.al.sid).ipAddresses.page({ pageSize: 2 });
    const page2 = await page1.nextPage();
    check(page1.instances.length === 2 && page2 && page2.instances.length === 2, 'pages of 2');
    check(page2.instances[0].sid !== page1.instances[0].sid, 'page 2 repeats page 1');
    const back = await page2.previousPage();
    check(back.instances[0].sid === page1.instances[0].sid, 'previous page is not page 1');
    const calls = await client.calls.list({ to: '+14155550123', from: s.pn.phoneNumber, pageSize: 1 });
    check(calls.some((c) => c.sid === s.ca.sid), 'the call is not in the filtered list');
    const after = await client.calls.list({ startTimeAfter: new Date(Date.now() - 86400000), limit: 5 });
    check(after.length >= 1, 'StartTime> filter found nothing');
    for (let i = 0; i < 3; i += 1) {
      await client.trunking.v1.trunks(s.tk.sid).originationUrls.create({ friendlyName: `more ${i}`, weight: 1,
        priority: 20 + i, enabled: false, sipUrl: `sip:more${i}@example.com` });
    }
    const origins = await client.trunking.v1.trunks(s.tk.sid).originationUrls.list({ pageSize: 2 });
    check(origins.length === 4, `${origins.length} origination URLs over v1 paging`);
    const domains = await sip.domains.list({ limit: 20 });
    check(domains.some((d) => d.sid === s.sd.sid), 'domain not listed');
    return `${all.length} addresses, ${origins.length} origination URLs`;
  });
  await step('fetch', async () => {
    const cl = await sip.credentialLists(s.cl.sid).fetch();
    const cr = await sip.credentialLists(s.cl.sid).credentials(s.cr.sid).fetch();
    const tk = await client.trunking.v1.trunks(s.tk.sid).fetch();
    const ca = await client.calls(s.ca.sid).fetch();
    check(cl.sid === s.cl.sid && cr.username === 'ht801' && tk.sid === s.tk.sid && ca.sid === s.ca.sid, 'fetch');
  });
  await step('update', async () => {
    const sd = await sip.domains(s.sd.sid).update({ friendlyName: `${tag} renamed`, voiceMethod: 'GET' });
    check(sd.friendlyName === `${tag} renamed` && sd.voiceMethod === 'GET', JSON.stringify(sd.toJSON()));
    const cr = await sip.credentialLists(s.cl.sid).credentials(s.cr.sid).update({ password: 'NodeStory67890' });
    check(cr.sid === s.cr.sid, cr.sid);
    const tk = await client.trunking.v1.trunks(s.tk.sid).update({ friendlyName: `${tag} trunk` });
    check(tk.friendlyName === `${tag} trunk`, tk.friendlyName);
  });
  await step('delete', async () => {
    check(await client.trunking.v1.trunks(s.tk.sid).originationUrls(s.ou.sid).remove() === true, 'origination URL');
    check(await sip.domains(s.sd.sid).auth.calls.ipAccessControlListMappings(s.al.sid).remove() === true, 'mapping');
    check(await sip.credentialLists(s.cl.sid).credentials(s.cr.sid).remove() === true, 'credential');
    check(await client.trunking.v1.trunks(s.tk.sid).remove() === true, 'trunk');
  });
  await step('buy a number and release it', async () => {
    const bought = await client.incomingPhoneNumbers.create({ areaCode: '202', friendlyName: tag });
    check(bought.phoneNumber.startsWith('+1202'), bought.phoneNumber);
    check(await client.incomingPhoneNumbers(bought.sid).remove() === true, 'release');
    return bought.phoneNumber;
  });
  await step('delete the finished call', async () => {
    check(await client.calls(s.ca.sid).remove() === true, 'delete');
  });
  await step('PATCH is a JSON 405 / 20004', async () => {
    const uri = `https://api.twilio.com/2010-04-01/Accounts/${process.env.TWILIO_ACCOUNT_SID}/SIP/Domains.json`;
    const response = await client.request({ method: 'PATCH', uri, data: { FriendlyName: 'x' } });
    check(response.statusCode === 405 && response.body.code === 20004, `${response.statusCode} ${JSON.stringify(response.body)}`);
  });
  await refused('fetch of a deleted trunk is 404 / 20404', 404, 20404,
    () => client.trunking.v1.trunks(s.tk.sid).fetch());
  await refused('a domain name outside sip.twilio.com is 400 / 21232', 400, 21232,
    () => sip.domains.create({ domainName: `${tag}.example.com` }));
  await refused('a weak credential password is 400 / 21243', 400, 21243,
    () => sip.credentialLists(s.cl.sid).credentials.create({ username: 'weak', password: 'short' }));
  await step('a missing required parameter is 400 / 20001 (raw request: the SDK checks it first)', async () => {
    const uri = `https://api.twilio.com/2010-04-01/Accounts/${process.env.TWILIO_ACCOUNT_SID}/SIP/CredentialLists.json`;
    const response = await client.request({ method: 'POST', uri, data: {} });
    check(response.statusCode === 400 && response.body.code === 20001, `${response.statusCode} ${JSON.stringify(response.body)}`);
    return `${response.statusCode} ${response.body.code}`;
  });
  await refused('SipRegistration outside the spec (TRUE) is 400 / 20001', 400, 20001,
    () => client.request({ method: 'POST', data: { DomainName: `${tag}-x.sip.twilio.com`, SipRegistration: 'TRUE' },
      uri: `https://api.twilio.com/2010-04-01/Accounts/${process.env.TWILIO_ACCOUNT_SID}/SIP/Domains.json` })
      .then((response) => { const e = new Error(response.body.message); Object.assign(e, { status: response.statusCode,
        code: response.body.code, moreInfo: response.body.more_info }); throw e; }));
  await refused('a call without a valid To is 400 / 21211', 400, 21211,
    () => client.calls.create({ to: 'not-a-number', from: s.pn.phoneNumber, twiml: '<Response/>' }));
  await refused('wrong credentials are 401 / 20003', 401, 20003,
    () => twilio(process.env.TWILIO_ACCOUNT_SID, 'wrong-token').api.v2010.account.sip.domains.list());
  for (const result of results) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}

main().catch((error) => {
  process.stdout.write(`${JSON.stringify({ step: 'script', ok: false, detail: String(error && error.stack) })}\n`);
  process.exitCode = 1;
});
