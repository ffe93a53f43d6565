"""monitoring: device fields on vitals, device artifacts, the alarm book

Revision ID: 0004_monitoring
Revises: 0003_sessions
Create Date: 2026-11-24 23:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import console.storage.base

revision = '0004_monitoring'
down_revision = '0003_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('vital_sign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('confirmed', sa.Text(), nullable=False,
                                      server_default='[]'))
        batch_op.create_index(batch_op.f('ix_vital_sign_corrects_id'), ['corrects_id'],
                              unique=False)
    op.create_table('device_artifact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.Column('value', sa.String(length=60), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('device', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['infusion_session.id'], name=op.f('fk_device_artifact_session_id_infusion_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_artifact'))
    )
    op.create_index('ix_device_artifact_session_at', 'device_artifact', ['session_id', 'at'], unique=False)
    op.create_table('alarm',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('parameter', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('condition', sa.Text(), nullable=False),
    sa.Column('raised_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', console.storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('audio_paused_until', console.storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('clearing_since', console.storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('peak_condition', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['infusion_session.id'], name=op.f('fk_alarm_session_id_infusion_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm')),
    sa.UniqueConstraint('session_id', 'number', name=op.f('uq_alarm_session_id'))
    )
    op.create_index(op.f('ix_alarm_session_id'), 'alarm', ['session_id'], unique=False)
    op.create_table('alarm_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alarm_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('by_name', sa.String(length=120), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('from_priority', sa.String(length=10), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['alarm_id'], ['alarm.id'], name=op.f('fk_alarm_event_alarm_id_alarm')),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_alarm_event_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_event'))
    )
    op.create_index(op.f('ix_alarm_event_alarm_id'), 'alarm_event', ['alarm_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_alarm_event_alarm_id'), table_name='alarm_event')
    op.drop_table('alarm_event')
    op.drop_index(op.f('ix_alarm_session_id'), table_name='alarm')
    op.drop_table('alarm')
    op.drop_index('ix_device_artifact_session_at', table_name='device_artifact')
    op.drop_table('device_artifact')
    with op.batch_alter_table('vital_sign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vital_sign_corrects_id'))
        batch_op.drop_column('confirmed')
        batch_op.drop_column('device')
